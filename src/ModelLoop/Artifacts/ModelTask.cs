namespace ModelLoop.Artifacts;

/// <summary>What a model package predicts; <see cref="PackageInfo.From"/> decides it from the artifact's metadata.</summary>
public enum ModelTask
{
    /// <summary>One class per item: the outputs are logits (one per class, or one for a binary classifier).</summary>
    Classification,
    /// <summary>Real values per item: the outputs are the predictions.</summary>
    Regression,
}
