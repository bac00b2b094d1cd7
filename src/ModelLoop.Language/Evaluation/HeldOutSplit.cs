namespace ModelLoop.Language.Evaluation;

/// <summary>Which documents of a corpus a language model is scored on.</summary>
public enum HeldOutSplit
{
    /// <summary>The test documents of the model's split (its config's data.test, data.splitSeed): never seen in training or model selection.</summary>
    Test,
    /// <summary>The validation documents of the model's split, the text its runs were validated on.</summary>
    Validation,
    /// <summary>Every document of the corpus, e.g. a corpus the model was not trained on.</summary>
    All,
}
