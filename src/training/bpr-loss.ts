import * as tf from '@tensorflow/tfjs-core';

/** The tensors of one BPR training batch, as the model computed them. */
export interface BprLossInputs {
  /** `[batch]` scores r_ij of the positive items. */
  positiveScores: tf.Tensor1D;
  /** `[batch]` scores r_ij' of the negative items. */
  negativeScores: tf.Tensor1D;
  /** `[batch, dim]` adaptive user vectors u_i^j for the positives (omit to skip the lambda_u term). */
  positiveUserVectors?: tf.Tensor2D;
  /** `[batch, dim]` adaptive user vectors u_i^j' for the negatives. */
  negativeUserVectors?: tf.Tensor2D;
  /** `[batch, dim]` item vectors v_j of the positives. */
  positiveItemVectors: tf.Tensor2D;
  /** `[batch, dim]` item vectors v_j' of the negatives. */
  negativeItemVectors: tf.Tensor2D;
}

/** Regularisation weights of {@link bprLoss}. */
export interface BprLossWeights {
  /** lambda_u: weight of the squared norms of the adaptive user vectors. */
  lambdaU: number;
  /** lambda_v: weight of the squared norms of the item vectors. */
  lambdaV: number;
}

/**
 * The BPR loss of the report's eq. 4, averaged over the batch:
 * L = mean( -ln sigmoid(r_j - r_j') + lambda_u (|u_j|^2 + |u_j'|^2) + lambda_v (|v_j|^2 + |v_j'|^2) ).
 * -ln sigmoid(x) is computed as softplus(-x), which is exact and never overflows.
 * @returns a scalar tensor; the caller owns it (call inside `tf.tidy` or an optimizer's minimize).
 */
export function bprLoss(inputs: BprLossInputs, weights: BprLossWeights): tf.Scalar {
  return tf.tidy(() => {
    const ranking = tf.softplus(tf.sub(inputs.negativeScores, inputs.positiveScores));
    let perTriplet: tf.Tensor = ranking;
    if (weights.lambdaU !== 0 && inputs.positiveUserVectors && inputs.negativeUserVectors) {
      const userNorms = tf.add(
        squaredNorms(inputs.positiveUserVectors),
        squaredNorms(inputs.negativeUserVectors),
      );
      perTriplet = tf.add(perTriplet, tf.mul(userNorms, weights.lambdaU));
    }
    if (weights.lambdaV !== 0) {
      const itemNorms = tf.add(
        squaredNorms(inputs.positiveItemVectors),
        squaredNorms(inputs.negativeItemVectors),
      );
      perTriplet = tf.add(perTriplet, tf.mul(itemNorms, weights.lambdaV));
    }
    return tf.mean(perTriplet) as tf.Scalar;
  });
}

function squaredNorms(vectors: tf.Tensor2D): tf.Tensor1D {
  return tf.sum(tf.square(vectors), 1) as tf.Tensor1D;
}

/**
 * {@link bprLoss} for a batch laid out as (positive, negative) pairs, the layout MARS scores in.
 * @param scores - `[batch, 2]` r_ij and r_ij'.
 * @param userVectors - `[batch, 2, dim]` u_i^j and u_i^j'.
 * @param itemVectors - `[batch, 2, dim]` v_j and v_j'.
 */
export function bprLossOfPairs(
  scores: tf.Tensor2D,
  userVectors: tf.Tensor3D,
  itemVectors: tf.Tensor3D,
  weights: BprLossWeights,
): tf.Scalar {
  return tf.tidy(() => {
    const [positiveScores, negativeScores] = tf.unstack(scores, 1) as tf.Tensor1D[];
    const [positiveUserVectors, negativeUserVectors] = tf.unstack(userVectors, 1) as tf.Tensor2D[];
    const [positiveItemVectors, negativeItemVectors] = tf.unstack(itemVectors, 1) as tf.Tensor2D[];
    return bprLoss(
      {
        positiveScores,
        negativeScores,
        positiveUserVectors,
        negativeUserVectors,
        positiveItemVectors,
        negativeItemVectors,
      },
      weights,
    );
  });
}
