/**
 * What a stopped or failed run says about its output: an interrupt, a closed pipe, a write error
 * naming the file, or the API's error with what became of the output added to its hint.
 */
import { PagingError } from '../../api/errors.js';
import { ApiError, BrokenPipeError, CliError, InterruptedError } from '../../errors.js';
import type { Output } from '../../fs/index.js';
import type { ExportRequest } from './types.js';

/** The interrupt that stops a run: a temporary file is discarded; stdout, a pipe or a descriptor keeps what it got. */
export function interruptedError(output: Output, signal: AbortSignal | undefined, cause?: unknown): InterruptedError {
  return new InterruptedError(
    output.inPlace
      ? `export interrupted; what was written to ${output.path ?? 'stdout'} so far is incomplete`
      : 'export interrupted; no output file was written',
    {
      ...(typeof signal?.reason === 'string' ? { signal: signal.reason } : {}),
      ...(cause !== undefined ? { cause } : {}),
    },
  );
}

/**
 * The error a failed run ends with, saying what became of the output: an interrupt, a write error
 * naming the file, or the API's error with a hint about the output (the error itself is kept).
 */
export function failureOf(error: unknown, request: ExportRequest, output: Output): unknown {
  const signal = request.signal;
  if (signal?.aborted && !(error instanceof InterruptedError)) return interruptedError(output, signal, error);
  const outputName = output.path ?? 'stdout';
  const io = error as NodeJS.ErrnoException;
  if (io.code === 'EPIPE') {
    const kept = request.stateFile ? `; the bookmark in ${request.stateFile} was kept` : '';
    return new BrokenPipeError(`${outputName} was closed by its reader before the export was complete${kept}`, { cause: error });
  }
  if (io.syscall === 'write') {
    return new CliError(`cannot write ${outputName}: ${(error as Error).message}`, { cause: error });
  }
  if (error instanceof PagingError) {
    const kept = request.stateFile ? `; the bookmark in ${request.stateFile} was kept` : '';
    const written = output.inPlace ? `the output on ${outputName} is incomplete` : `nothing was written to ${request.output}`;
    return error.withHint(`${written}${kept}; ${error.hint ?? 'run it again'}`);
  }
  if (error instanceof ApiError) {
    // What Keap's answer says to do (when a used-up quota resets) stays; what became of the output is added.
    const kept = request.stateFile ? `; the bookmark in ${request.stateFile} was kept` : '';
    const became = output.inPlace ? `the output on ${outputName} is incomplete` : `nothing was written to ${request.output}`;
    return error.withHint([error.hint, `${became}${kept}`].filter(Boolean).join('; '));
  }
  return error;
}
