// Each end-to-end test starts its own server (TorchSharp global state): one test at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
