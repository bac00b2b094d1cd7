using System.Text.Json.Nodes;

namespace ModelLoop.Optimization.Tuning;

/// <summary>One trial of a study as stored: its values, state, result, per-step reports and where its run lives.</summary>
public sealed record TrialRecord
{
    /// <summary>The storage's row id.</summary>
    public required long Id { get; init; }
    /// <summary>0, 1, 2… in the order trials were started, unique in the study across workers.</summary>
    public required int Number { get; init; }
    public required TrialState State { get; init; }
    /// <summary>Field path → the value this trial used (only the parameters whose conditions held).</summary>
    public required IReadOnlyDictionary<string, JsonNode?> Params { get; init; }
    /// <summary>The objective (complete), the last reported value (pruned), else null.</summary>
    public double? Value { get; init; }
    /// <summary>Step (epoch, from 1) → reported value.</summary>
    public IReadOnlyDictionary<int, double> Intermediate { get; init; } = new SortedDictionary<int, double>();
    /// <summary>The worker process that ran it (host:pid:tag).</summary>
    public required string Worker { get; init; }
    /// <summary>The worker's last sign of life while the trial ran.</summary>
    public required DateTimeOffset Heartbeat { get; init; }
    public required DateTimeOffset Started { get; init; }
    public DateTimeOffset? Finished { get; init; }
    /// <summary>The error of a failed trial (type and message).</summary>
    public string? Error { get; init; }
    /// <summary>The tracked run of a training trial, else null.</summary>
    public string? RunId { get; init; }
    /// <summary>The model package a training trial wrote, else null.</summary>
    public string? Package { get; init; }
    /// <summary>True for a trial whose worker stopped heartbeating (killed): failed, and not counted against the study's trial budget.</summary>
    public bool Abandoned { get; init; }

    /// <summary>The last reported step, or null when nothing was reported.</summary>
    public int? LastStep => Intermediate.Count == 0 ? null : Intermediate.Keys.Max();

    public bool IsFinished => State is TrialState.Complete or TrialState.Pruned or TrialState.Fail;

    public TimeSpan? Duration => Finished is { } end ? end - Started : null;
}
