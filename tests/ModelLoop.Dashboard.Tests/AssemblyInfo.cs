// One server, one browser and TorchSharp's global state: one test at a time keeps them independent and the shared machine responsive.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
