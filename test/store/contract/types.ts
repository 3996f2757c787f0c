/** How a contract section registers a case: `it`, skipped quietly when the suite's store is not available. */
export type ContractIt = (title: string, fn: () => Promise<void>, timeout?: number) => void;
