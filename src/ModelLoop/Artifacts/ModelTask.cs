namespace ModelLoop.Artifacts;

/// <summary>What a model predicts: a class (with probabilities) or values.</summary>
public enum ModelTask
{
    /// <summary>One class per item, from logits over the classes (or one logit for a binary model).</summary>
    Classification,
    /// <summary>One or more real values per item.</summary>
    Regression,
}
