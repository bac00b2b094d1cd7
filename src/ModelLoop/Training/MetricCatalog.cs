namespace ModelLoop.Training;

/// <summary>
/// The metrics <see cref="MetricSpec"/> can create by name. Holds the training metrics (accuracy,
/// binary_accuracy, mae, mse); other parts of ModelLoop (the evaluation metrics) and users add theirs with
/// <see cref="Register(string, Func{Metric})"/>, so training depends on no metric family it does not define.
/// </summary>
public static class MetricCatalog
{
    private static readonly object Gate = new();
    private static readonly Dictionary<string, Func<Metric>> ByName = new(StringComparer.Ordinal)
    {
        ["accuracy"] = () => new AccuracyMetric(),
        ["acc"] = () => new AccuracyMetric(),
        ["binary_accuracy"] = () => new BinaryAccuracyMetric(),
        ["mae"] = () => new MeanErrorMetric("mae", squared: false),
        ["mean_absolute_error"] = () => new MeanErrorMetric("mae", squared: false),
        ["mse"] = () => new MeanErrorMetric("mse", squared: true),
        ["mean_squared_error"] = () => new MeanErrorMetric("mse", squared: true),
    };
    private static readonly List<string> Listed = ["accuracy", "binary_accuracy", "mae", "mse"];
    private static readonly List<Func<string, Metric?>> Resolvers = [];

    /// <summary>
    /// Adds a metric under a lower-case <paramref name="name"/>; a later registration of the same name replaces
    /// the earlier one. The factory is called once per <c>Fit</c> or <c>Evaluate</c>, so a metric's state is never shared.
    /// </summary>
    public static void Register(string name, Func<Metric> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        var key = CheckName(name);
        lock (Gate)
        {
            if (ByName.TryAdd(key, create))
                Listed.Add(key);
            else
                ByName[key] = create;
        }
    }

    /// <summary>
    /// Adds a family of metrics recognised by name (e.g. top_&lt;k&gt;_accuracy): <paramref name="resolve"/> returns
    /// the metric for a lower-case name, or null when the name is not one of its family. <paramref name="names"/>
    /// describes the family in the error for an unknown name. Exact names registered with
    /// <see cref="Register(string, Func{Metric})"/> take precedence.
    /// </summary>
    public static void Register(Func<string, Metric?> resolve, string names)
    {
        ArgumentNullException.ThrowIfNull(resolve);
        ArgumentException.ThrowIfNullOrWhiteSpace(names);
        lock (Gate)
        {
            Resolvers.Add(resolve);
            Listed.Add(names);
        }
    }

    /// <summary>The known names, for error messages.</summary>
    internal static string Names
    {
        get
        {
            lock (Gate)
                return string.Join(", ", Listed);
        }
    }

    /// <summary>A new metric for a lower-case name, or null when no registration knows it.</summary>
    internal static Metric? Create(string name)
    {
        Func<Metric>? exact;
        Func<string, Metric?>[] resolvers;
        lock (Gate)
        {
            ByName.TryGetValue(name, out exact);
            resolvers = [.. Resolvers];
        }
        if (exact is not null)
            return exact();
        foreach (var resolve in resolvers)
        {
            if (resolve(name) is { } metric)
                return metric;
        }
        return null;
    }

    private static string CheckName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var key = name.Trim();
        if (key != key.ToLowerInvariant())
            throw new ArgumentException($"Metric names are lower case (MetricSpec lower-cases what it is given); received '{name}'. Register it as '{key.ToLowerInvariant()}'.", nameof(name));
        return key;
    }
}
