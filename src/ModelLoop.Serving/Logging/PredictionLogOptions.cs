using ModelLoop.Monitoring.Logging;

namespace ModelLoop.Serving.Logging;

/// <summary>
/// The prediction log's settings, bound from "Serving:PredictionLog" (e.g. <c>Serving__PredictionLog__Enabled=true</c>,
/// or <c>modelloop serve --log-predictions</c>). Defaults respect privacy: when enabled, each item's input is kept only
/// as a hash, every request is logged, and rows are kept 30 days or 1 GiB. Per-model and per-tenant rules
/// (<see cref="Models"/>, <see cref="Tenants"/>) change what is kept for them.
/// </summary>
public sealed class PredictionLogOptions
{
    public const string Section = "Serving:PredictionLog";

    /// <summary>Log answered predictions (and accept feedback on them). Defaults to false.</summary>
    public bool Enabled { get; set; }

    /// <summary>The log's SQLite file. Defaults to null: <see cref="PredictionLog.DefaultFileName"/> next to Serving:DatabasePath.</summary>
    public string? Path { get; set; }

    /// <summary>What is kept of each item's input. Defaults to <see cref="InputStorage.Hash"/>.</summary>
    public InputStorage Inputs { get; set; } = InputStorage.Hash;

    /// <summary>The fraction of requests logged, 0…1, drawn per request. Defaults to 1 (all).</summary>
    public double SampleRate { get; set; } = 1;

    /// <summary>Keep each item's monitored features (what drift detection reads). Defaults to true.</summary>
    public bool Features { get; set; } = true;

    /// <summary>Requests older than this many days are deleted with their feedback; null keeps them. Defaults to 30.</summary>
    public double? RetentionDays { get; set; } = 30;

    /// <summary>Beyond this many MiB of rows the oldest requests are deleted; null: no bound. Defaults to 1024.</summary>
    public double? MaxMegabytes { get; set; } = 1024;

    /// <summary>How often retention runs (also once at start-up). Defaults to 10 minutes.</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Rules for a model, by model name. Defaults to none.</summary>
    public Dictionary<string, PredictionLogRule> Models { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Rules for a tenant, by tenant id ("anonymous" for keyless calls). Defaults to none.</summary>
    public Dictionary<string, PredictionLogRule> Tenants { get; set; } = new(StringComparer.Ordinal);

    /// <summary>
    /// The rule for one request: <see cref="SampleRate"/> and <see cref="Features"/> from the tenant's rule, else the
    /// model's, else these defaults; <see cref="Inputs"/> the most private of the model's and the tenant's when either
    /// sets it (a tenant cannot widen what a model may keep, nor a model what a tenant agreed to), else the default.
    /// </summary>
    public PredictionLogRule RuleFor(string model, string tenantId)
    {
        var byModel = Models.GetValueOrDefault(model);
        var byTenant = Tenants.GetValueOrDefault(tenantId);
        var inputs = (byModel?.Inputs, byTenant?.Inputs) switch
        {
            ({ } m, { } t) => m < t ? m : t,
            ({ } m, null) => m,
            (null, { } t) => t,
            _ => Inputs,
        };
        return new PredictionLogRule
        {
            Inputs = inputs,
            SampleRate = byTenant?.SampleRate ?? byModel?.SampleRate ?? SampleRate,
            Features = byTenant?.Features ?? byModel?.Features ?? Features,
        };
    }

    /// <summary>Checks every setting; the message names the setting, what it holds and what it accepts.</summary>
    /// <exception cref="ArgumentException">A setting is out of range.</exception>
    public PredictionLogOptions Validate()
    {
        CheckRate(SampleRate, $"{Section}:SampleRate");
        foreach (var (kind, rules) in new[] { ("Models", Models), ("Tenants", Tenants) })
        {
            foreach (var (name, rule) in rules)
            {
                if (rule.SampleRate is { } rate)
                    CheckRate(rate, $"{Section}:{kind}:{name}:SampleRate");
            }
        }
        if (RetentionDays is { } days && !(days > 0))
            throw new ArgumentException($"{Section}:RetentionDays is {days}; expected a number of days > 0 (e.g. 30), or leave it unset to keep requests forever.");
        if (MaxMegabytes is { } mb && !(mb > 0))
            throw new ArgumentException($"{Section}:MaxMegabytes is {mb}; expected a size in MiB > 0 (e.g. 1024), or leave it unset for no bound.");
        if (PruneInterval <= TimeSpan.Zero)
            throw new ArgumentException($"{Section}:PruneInterval is {PruneInterval}; expected a positive time such as 00:10:00.");
        return this;
    }

    internal RetentionPolicy Retention => new(RetentionDays is { } d ? TimeSpan.FromDays(d) : null, MaxMegabytes is { } mb ? (long)(mb * 1024 * 1024) : null);

    private static void CheckRate(double rate, string setting)
    {
        if (!(rate is >= 0 and <= 1))
            throw new ArgumentException($"{setting} is {rate}; expected a fraction of requests from 0 (none) to 1 (all).");
    }
}
