// TorchSharp keeps global state (the default RNG, the thread count): tests run one at a time so a test's
// seed is not disturbed by another's dropout or shuffling.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
