import type { BackendPreference } from '../backend/select-backend';
import { startServer } from '../serving/http/fastify-adapter';
import { createRecommendationService } from '../serving/http/recommendation-service';
import { CliError } from './commands';
import { loadServedRun } from './served-run';

/** Options of `mars-rec serve`. */
export interface ServeCommandOptions {
  /** Run directory written by `mars-rec train`. */
  model: string;
  /** Port; 0 picks a free one. Default 8080. */
  port: number;
  /** Interface to listen on. Default 127.0.0.1. */
  host: string;
  /** Backend for a MARS model. */
  backend: BackendPreference;
  /**
   * JSON log lines on stdout: `quiet` (start, shutdown, errors), `normal` (also one line per
   * request and response), `verbose` (also debug lines).
   */
  verbosity: 'quiet' | 'normal' | 'verbose';
}

/**
 * `mars-rec serve`: loads the run's model once and serves it over HTTP until SIGTERM or
 * SIGINT, then answers the requests in progress, frees the model and returns.
 */
export async function serveCommand(options: ServeCommandOptions): Promise<void> {
  const loaded = await loadServedRun(options.model, options.backend);
  const service = createRecommendationService(loaded.served, {
    users: loaded.users,
    info: { run: options.model, trainedWith: loaded.run.backend },
  });
  try {
    const server = await startServer(service, {
      port: options.port,
      host: options.host,
      logger: { level: options.verbosity === 'verbose' ? 'debug' : 'info' },
      logRequests: options.verbosity !== 'quiet',
    }).catch((error: Error & { code?: string }) => {
      if (error.code === 'EADDRINUSE')
        throw new CliError(
          `port ${options.port} on ${options.host} is in use: pass another --port (0 picks a free one)`,
        );
      if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND')
        throw new CliError(`cannot listen on --host ${options.host}: not an address of this machine`);
      throw error;
    });
    server.app.log.info(
      {
        model: loaded.served.kind,
        items: loaded.served.itemCount,
        users: loaded.users.count,
        url: server.url,
      },
      'serving',
    );
    await server.closed;
  } finally {
    loaded.dispose();
  }
}
