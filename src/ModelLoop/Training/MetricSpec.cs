namespace ModelLoop.Training;

/// <summary>
/// Names a metric; converts from a string. Known names are those in <see cref="MetricCatalog"/>: "accuracy",
/// "binary_accuracy", "mae", "mse", the evaluation metrics ("f1_macro", "roc_auc", "top_5_accuracy", "log_loss",
/// "r2"…) and any registered with <see cref="MetricCatalog.Register(string, Func{Metric})"/>.
/// </summary>
public sealed record MetricSpec(string Name)
{
    public static implicit operator MetricSpec(string name) => new(name);

    internal Metric Create() =>
        MetricCatalog.Create(Name.Trim().ToLowerInvariant())
        ?? throw new ArgumentException($"Unknown metric '{Name}'. Expected one of: {MetricCatalog.Names}. Register your own with MetricCatalog.Register(name, factory).");
}
