/**
 * Backend selection at run time.
 * @packageDocumentation
 */
export { selectBackend } from './select-backend';
export type { BackendAttempt, BackendPreference, BackendSelection } from './select-backend';
