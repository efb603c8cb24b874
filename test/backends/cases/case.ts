/** One conformance case of one kernel: run against every backend that offers the kernel. */
import type { ContractKernels } from '../subjects.js';

export interface KernelCase {
  /** what it checks (the test name, after the backend and the kernel) */
  readonly name: string;
  /** throws (an `expect`) when the backend breaks the contract */
  run(k: ContractKernels): void;
}
