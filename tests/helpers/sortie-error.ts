// The SortieError a call throws, for tests that look at its kind and message.
import { SortieError } from "../../src/domain/errors.ts";

/** The SortieError `call` throws; returning, or throwing anything else, fails the test. */
export function thrownSortieError(call: () => unknown): SortieError {
  try {
    call();
  } catch (err) {
    if (err instanceof SortieError) return err;
    throw err;
  }
  throw new Error("expected a SortieError to be thrown");
}
