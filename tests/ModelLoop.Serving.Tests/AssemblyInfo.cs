// TorchSharp keeps global state (RNG, thread count) and each test starts its own server: one test at a time
// keeps them independent and the 2-core machine responsive.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
