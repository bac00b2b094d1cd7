using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using ModelLoop.IO;

namespace ModelLoop.Monitoring.Retraining;

/// <summary>
/// When a model is retrained and how its challenger is made and judged: the triggers (a drift alarm, live accuracy
/// measurably below the champion's test accuracy, enough new labels), a cool-down between jobs, the mode (retrain from
/// scratch or fine-tune), the fine-tuning settings and the promotion gate's tolerance. JSON or YAML, one per model.
/// </summary>
/// <example>
/// <code>
/// onDriftAlarm: true
/// accuracyMargin: 0.02
/// newLabels: 1000
/// coolDownHours: 24
/// mode: FineTune
/// fineTuneEpochs: 3
/// replay: 10000
/// promotionTolerance: 0.005
/// </code>
/// </example>
public sealed record RetrainingPolicy
{
    /// <summary>Retrain on a drift alarm raised after the last job. Defaults to true.</summary>
    public bool OnDriftAlarm { get; init; } = true;
    /// <summary>
    /// Retrain when live accuracy's upper confidence bound is below the champion's test accuracy minus this margin
    /// (so the drop is real, not noise). Null turns the trigger off. Defaults to 0.02 (2 points).
    /// </summary>
    public double? AccuracyMargin { get; init; } = 0.02;
    /// <summary>Live accuracy counts only when it rests on at least this many labelled predictions. Defaults to 200.</summary>
    public int MinLiveLabels { get; init; } = 200;
    /// <summary>Retrain when this many labels arrived since the last job. Null turns the trigger off. Defaults to 1000.</summary>
    public int? NewLabels { get; init; } = 1000;
    /// <summary>No new job within this many hours of the last one's start, whatever fires. Defaults to 24.</summary>
    public double CoolDownHours { get; init; } = 24;
    /// <summary>How the challenger is made. Defaults to FineTune (from the production weights, with replay).</summary>
    public RetrainMode Mode { get; init; } = RetrainMode.FineTune;
    /// <summary>Epochs of fine-tuning. Defaults to 3.</summary>
    public int FineTuneEpochs { get; init; } = 3;
    /// <summary>Fine-tuning's learning rate as a share of the production config's rate. Defaults to 0.1.</summary>
    public double LearningRateScale { get; init; } = 0.1;
    /// <summary>
    /// Original training rows replayed while fine-tuning, so the model keeps what it knew: a fraction in (0, 1) or a
    /// row count (<c>data.replay</c>). Null replays all of them. Defaults to 10000: several original rows per feedback
    /// row. (Fine-tuning a Fashion-MNIST MLP on 2,000 rotated images: a replay of 2,000 cost 5.3 points of clean test
    /// accuracy, 8,000 cost 0.13, for the same +44–48 points on the rotated holdout.)
    /// </summary>
    public double? Replay { get; init; } = 10000;
    /// <summary>
    /// The largest accuracy drop on the original test set a promoted challenger may have, as a fraction (regression: the
    /// largest relative increase of the MSE). Defaults to 0.005 (half a point).
    /// </summary>
    public double PromotionTolerance { get; init; } = 0.005;
    /// <summary>A job needs at least this many held-out labelled feedback items to judge the challenger on. Defaults to 100.</summary>
    public int MinHoldout { get; init; } = 100;
    /// <summary>
    /// Without a separate holdout, the most recent share of the feedback (the end of a table, the last files of each
    /// class folder by name) is held out for the comparison and never trained on. Defaults to 0.3.
    /// </summary>
    public double HoldoutFraction { get; init; } = 0.3;
    /// <summary>Significance level of McNemar's test on the feedback holdout. Defaults to 0.05.</summary>
    public double Alpha { get; init; } = 0.05;

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter() },
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
    };

    public string ToJson() => JsonSerializer.Serialize(this, Json);

    public string ToYaml() => YamlJson.ToYaml(JsonSerializer.SerializeToNode(this, Json));

    /// <exception cref="FormatException">Not a valid policy; the message names the field.</exception>
    public static RetrainingPolicy FromJson(string json, string source = "policy")
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"The retraining policy {source} is not valid JSON: {e.Message}", e);
        }
        return FromJsonNode(node, source);
    }

    /// <exception cref="FormatException">Not a valid policy; the message names the field.</exception>
    public static RetrainingPolicy FromYaml(string yaml, string source = "policy") => FromJsonNode(YamlJson.Parse(yaml, $"The retraining policy {source}"), source);

    /// <summary>Reads a .json/.yaml/.yml policy and validates it.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="FormatException">Not a valid policy.</exception>
    public static RetrainingPolicy Load(string path)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The retraining policy '{path}' does not exist. Write one (fields: {Fields}) or leave it out for the defaults.", path);
        var text = File.ReadAllText(path);
        var policy = Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".json" => FromJson(text, path),
            ".yaml" or ".yml" => FromYaml(text, path),
            var ext => throw new FormatException($"The retraining policy '{path}' has extension '{ext}'; use .json, .yaml or .yml."),
        };
        try
        {
            return policy.Validate();
        }
        catch (ArgumentException e)
        {
            throw new FormatException($"The retraining policy '{path}': {e.Message}", e);
        }
    }

    /// <summary>Checks every field's range. Returns the policy.</summary>
    /// <exception cref="ArgumentException">A field is out of range; the message names it and what is accepted.</exception>
    public RetrainingPolicy Validate()
    {
        static string Text(double value) => value.ToString(CultureInfo.InvariantCulture);
        if (AccuracyMargin is { } margin && !(margin is >= 0 and < 1))
            throw new ArgumentException($"accuracyMargin must be in [0, 1) (e.g. 0.02 for two points) or null to turn the trigger off; received {Text(margin)}.");
        if (MinLiveLabels < 1)
            throw new ArgumentException($"minLiveLabels must be at least 1; received {MinLiveLabels}.");
        if (NewLabels is < 1)
            throw new ArgumentException($"newLabels must be at least 1 or null to turn the trigger off; received {NewLabels}.");
        if (!(CoolDownHours >= 0) || double.IsInfinity(CoolDownHours))
            throw new ArgumentException($"coolDownHours must be 0 or more; received {Text(CoolDownHours)}.");
        if (FineTuneEpochs < 1)
            throw new ArgumentException($"fineTuneEpochs must be at least 1; received {FineTuneEpochs}.");
        if (!(LearningRateScale is > 0 and <= 10))
            throw new ArgumentException($"learningRateScale must be in (0, 10], e.g. 0.1; received {Text(LearningRateScale)}.");
        if (Replay is { } replay && !(replay > 0 && (replay < 1 || replay == Math.Floor(replay))))
            throw new ArgumentException($"replay must be a fraction in (0, 1) or a whole row count ≥ 1, e.g. 2000, or null for all rows; received {Text(replay)}.");
        if (!(PromotionTolerance is >= 0 and < 1))
            throw new ArgumentException($"promotionTolerance must be in [0, 1), e.g. 0.005 for half a point; received {Text(PromotionTolerance)}.");
        if (MinHoldout < 1)
            throw new ArgumentException($"minHoldout must be at least 1; received {MinHoldout}.");
        if (!(HoldoutFraction is > 0 and < 1))
            throw new ArgumentException($"holdoutFraction must be in (0, 1), e.g. 0.3; received {Text(HoldoutFraction)}.");
        if (!(Alpha is > 0 and < 1))
            throw new ArgumentException($"alpha must be in (0, 1), e.g. 0.05; received {Text(Alpha)}.");
        return this;
    }

    /// <summary>
    /// Whether to start a retraining job now. No while the last job is unfinished (it resumes instead) or within the
    /// cool-down after its start; else yes on the first trigger that fires, in this order: a drift alarm raised after the
    /// last job started, live accuracy's upper bound below the champion's test accuracy minus the margin (with at least
    /// <see cref="MinLiveLabels"/> labels), <see cref="NewLabels"/> labels since the last job. A pure function of its arguments.
    /// </summary>
    /// <param name="signals">What monitoring knows now.</param>
    /// <param name="lastJob">The model's latest job, or null when it has none.</param>
    public RetrainDecision Decide(RetrainSignals signals, RetrainingJobRecord? lastJob)
    {
        ArgumentNullException.ThrowIfNull(signals);
        static string Time(DateTimeOffset t) => t.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture);
        static string Points(double fraction) => (fraction * 100).ToString("0.##", CultureInfo.InvariantCulture);
        if (lastJob is { IsFinished: false })
            return new(false, null, $"Job {lastJob.Id} is still {lastJob.State}; it resumes when run again, no new job starts.");
        if (lastJob is not null && signals.Now < lastJob.CreatedUtc.AddHours(CoolDownHours))
            return new(false, null, $"Cool-down: job {lastJob.Id} started {Time(lastJob.CreatedUtc)}; no new job before {Time(lastJob.CreatedUtc.AddHours(CoolDownHours))} ({CoolDownHours.ToString(CultureInfo.InvariantCulture)} h).");
        if (OnDriftAlarm && signals.DriftAlarmAt is { } alarm && (lastJob is null || alarm > lastJob.CreatedUtc))
            return new(true, RetrainTrigger.DriftAlarm, $"Drift alarm at {Time(alarm)}" + (lastJob is null ? "." : $", after job {lastJob.Id} started {Time(lastJob.CreatedUtc)}."));
        var notes = new List<string>();
        if (AccuracyMargin is { } margin && signals.LiveAccuracy is { } live && signals.ChampionTestAccuracy is { } test)
        {
            var threshold = test - margin;
            if (live.Total < MinLiveLabels)
                notes.Add($"live accuracy rests on {live.Total} labels (needs {MinLiveLabels})");
            else if (live.Interval.Upper < threshold)
                return new(true, RetrainTrigger.LiveAccuracy,
                    $"Live accuracy {Points(live.Interval.Estimate)}% (interval {Points(live.Interval.Lower)}–{Points(live.Interval.Upper)}%, {live.Total} labels) is below the champion's test accuracy {Points(test)}% minus the margin {Points(margin)} points.");
            else
                notes.Add($"live accuracy's upper bound {Points(live.Interval.Upper)}% is not below {Points(threshold)}%");
        }
        if (NewLabels is { } needed)
        {
            if (signals.LabelsSinceLastJob >= needed)
                return new(true, RetrainTrigger.NewLabels, $"{signals.LabelsSinceLastJob} new labels since the last job (policy: {needed}).");
            notes.Add($"{signals.LabelsSinceLastJob} of {needed} new labels");
        }
        return new(false, null, "No trigger fired" + (notes.Count > 0 ? ": " + string.Join("; ", notes) + "." : "."));
    }

    private const string Fields = "onDriftAlarm, accuracyMargin, minLiveLabels, newLabels, coolDownHours, mode, fineTuneEpochs, learningRateScale, replay, promotionTolerance, minHoldout, holdoutFraction, alpha";

    private static RetrainingPolicy FromJsonNode(JsonNode? node, string source)
    {
        if (node is not JsonObject)
            throw new FormatException($"The retraining policy {source} must be an object with fields such as {Fields}; received {node?.GetValueKind().ToString() ?? "nothing"}.");
        try
        {
            return node.Deserialize<RetrainingPolicy>(Json) ?? throw new FormatException($"The retraining policy {source} is empty.");
        }
        catch (JsonException e)
        {
            throw new FormatException($"The retraining policy {source} is not valid at {e.Path ?? "$"}: {e.Message} Fields: {Fields}.", e);
        }
    }
}
