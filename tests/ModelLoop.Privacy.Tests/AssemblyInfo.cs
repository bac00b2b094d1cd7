// TorchSharp keeps one process-wide default RNG: model initialisation, dropout and noise draw from it. Test classes
// running side by side interleave their draws, so a run's seed no longer fixes its weights and a resumed run can
// differ from an unbroken one (seen in CI). Tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
