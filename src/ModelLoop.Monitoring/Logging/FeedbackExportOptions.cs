namespace ModelLoop.Monitoring.Logging;

/// <summary>What <see cref="FeedbackExporter.Export"/> writes. Every setting documents its default.</summary>
public sealed record FeedbackExportOptions
{
    /// <summary>The folder to create; it must not exist yet (or be empty).</summary>
    public required string Output { get; init; }

    /// <summary>The model whose feedback is exported. Defaults to null: the log's only model (an error naming them when it holds several).</summary>
    public string? Model { get; init; }

    /// <summary>Only requests logged at or after this time. Defaults to null: from the first.</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>Only requests logged before this time. Defaults to null: up to now.</summary>
    public DateTimeOffset? Until { get; init; }

    /// <summary>
    /// The fraction (0 ≤ f &lt; 1) of labelled items, the newest, written to the holdout part instead of train (the
    /// retraining gate compares models on recent feedback neither saw). Defaults to 0: no holdout.
    /// </summary>
    public double HoldoutNewest { get; init; }

    /// <summary>
    /// The label column of table exports. Defaults to null: the column the model was trained on (so retraining reads the
    /// export with the model's own config), else "label".
    /// </summary>
    public string? LabelColumn { get; init; }
}
