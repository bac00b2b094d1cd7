using System.Globalization;
using System.Text.Json;
using ModelLoop.Artifacts;
using ModelLoop.Evaluation;
using ModelLoop.Loop;
using ModelLoop.Registry;
using ModelLoop.Storage;
using ModelLoop.Training;

namespace ModelLoop.Monitoring.Retraining;

/// <summary>
/// Retraining with a gate, start to finish: the production model's config → a challenger trained on the labelled
/// feedback (from scratch, or fine-tuned from the production weights with a replay of the original data) and registered
/// without moving production → champion vs challenger on held-out recent feedback and on the original test set →
/// promotion (production and champion aliases, the reason with the numbers and the job in the alias history) only when
/// the challenger is better on the feedback (McNemar) and not worse beyond the policy's tolerance on the original test
/// set. Every step is recorded in <see cref="RetrainingStore"/>; running again after a crash or <c>kill -9</c> continues
/// the unfinished job from its last recorded state — a registered challenger is not trained again, and an alias this
/// job already moved is not moved again. A server hot-reloads the new production version by polling the alias.
/// </summary>
public static class RetrainingJob
{
    /// <summary>The tag that names the job on its challenger version.</summary>
    public const string JobTag = "retraining.job";
    /// <summary>The tag that names the job's trigger on its challenger version.</summary>
    public const string TriggerTag = "retraining.trigger";
    /// <summary>Who moves aliases, in the history.</summary>
    public const string Actor = "retraining";

    /// <summary>
    /// Runs the model's unfinished job to its end if there is one (the recorded request, not <paramref name="request"/>'s
    /// feedback), else starts a new job for <paramref name="request"/>.
    /// </summary>
    /// <param name="log">Receives each step as it is recorded. Defaults to null (silent).</param>
    /// <exception cref="ArgumentException">The request or policy is invalid, or the model records no training config; no job was recorded.</exception>
    /// <exception cref="KeyNotFoundException">No such registered model.</exception>
    /// <exception cref="InvalidOperationException">Another process is retraining this model in this home now.</exception>
    /// <remarks>Any error after the job was recorded marks it Failed (with the message) and is rethrown.</remarks>
    public static RetrainingOutcome Run(RetrainingRequest request, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        var home = ModelLoopHome.Resolve(request.Home);
        var registry = ModelRegistry.OpenExisting(home);
        ModelRegistry.CheckName(request.Model);
        using var exclusive = RetrainingLock.Acquire(home, request.Model);
        var store = new RetrainingStore(home);
        var job = store.Latest(request.Model) is { IsFinished: false } unfinished ? unfinished : null;
        var resumed = job is not null;
        if (job is null)
        {
            job = Start(request, registry, store);
            log?.Invoke(store.Steps(job.Id)[^1].Message);
        }
        else
        {
            var given = request.Feedback.Select(Path.GetFullPath).SequenceEqual(job.Request.Feedback) ? "" : $" The feedback given now is not used: the job keeps its own ({string.Join(", ", job.Request.Feedback)}).";
            log?.Invoke($"Resuming job {job.Id} ({job.Mode}) for '{job.Model}', left in state {job.State} at {job.UpdatedUtc.ToString("u", CultureInfo.InvariantCulture)}.{given}");
        }
        var context = new JobContext(job, registry, store, Path.Combine(home, "retraining", $"job-{job.Id}"), home, request.Progress, log);
        RetrainingComparison? comparison = null;
        try
        {
            if (context.Job.State == RetrainingJobState.Pending)
                Prepare(context);
            if (context.Job.State == RetrainingJobState.Training)
                Train(context);
            if (context.Job.State == RetrainingJobState.Comparing)
                comparison = CompareAndDecide(context);
        }
        catch (Exception e)
        {
            var current = store.Get(context.Job.Id);
            if (!current.IsFinished)
                store.Advance(current.Id, current.State, RetrainingJobState.Failed, $"Failed in {current.State}: {e.Message}", decision: e.Message);
            throw;
        }
        var final = store.Get(context.Job.Id);
        comparison ??= final.ComparisonJson is { } json ? JsonSerializer.Deserialize<RetrainingComparison>(json, RetrainingStore.Json) : null;
        return new RetrainingOutcome(final, comparison, store.Steps(final.Id), resumed);
    }

    /// <summary>
    /// The scheduled form: resumes the model's unfinished job if there is one; else asks the request's policy
    /// (<see cref="RetrainingPolicy.Decide"/> with the model's latest job) and runs a job on the trigger that fired,
    /// with the decision's reason. Returns the decision and the outcome (null when no job ran).
    /// </summary>
    public static (RetrainDecision Decision, RetrainingOutcome? Outcome) RunIfDue(RetrainingRequest request, RetrainSignals signals, Action<string>? log = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(signals);
        var latest = new RetrainingStore(request.Home).Latest(request.Model);
        if (latest is { IsFinished: false })
            return (new RetrainDecision(true, latest.Trigger, $"Job {latest.Id} is unfinished ({latest.State}); resuming it."), Run(request, log));
        var decision = request.Policy.Decide(signals, latest);
        return decision is { Retrain: true, Trigger: { } trigger }
            ? (decision, Run(request with { Trigger = trigger, Reason = decision.Reason }, log))
            : (decision, null);
    }

    /// <summary>
    /// The training config of the challenger: the production config with the feedback added to the extra training
    /// sources it already had (earlier feedback stays in). Retrain: from scratch (no initFrom, no replay; the
    /// production config's epochs and rate). FineTune: from <paramref name="model"/>:<paramref name="championVersion"/>
    /// with the policy's replay, epochs and scaled rate.
    /// </summary>
    public static TrainingConfig ChallengerConfig(TrainingConfig production, string model, int championVersion, RetrainMode mode, RetrainingPolicy policy, IReadOnlyList<string> feedback)
    {
        ArgumentNullException.ThrowIfNull(production);
        ArgumentNullException.ThrowIfNull(policy);
        var data = production.Data with { ExtraTrain = [.. production.Data.ExtraTrain ?? [], .. feedback] };
        if (mode == RetrainMode.Retrain)
            return production with { InitFrom = null, Data = data with { Replay = null } };
        var rate = production.Optimizer.LearningRate ?? OptimizerOptions.Parse(production.Optimizer.Name).LearningRate;
        return production with
        {
            InitFrom = $"{model}:{championVersion.ToString(CultureInfo.InvariantCulture)}",
            Data = data with { Replay = policy.Replay },
            Epochs = policy.FineTuneEpochs,
            Optimizer = production.Optimizer with { LearningRate = rate * policy.LearningRateScale },
        };
    }

    private sealed record JobContext(RetrainingJobRecord Job, ModelRegistry Registry, RetrainingStore Store, string Folder, string Home, ProgressMode Progress, Action<string>? Log)
    {
        public RetrainingJobRecord Job { get; set; } = Job;

        public void Advance(RetrainingJobState to, string message, int? challenger = null, string? comparison = null, string? decision = null)
        {
            Job = Store.Advance(Job.Id, Job.State, to, message, challenger, comparison, decision);
            Log?.Invoke(message);
        }

        public void Note(string message)
        {
            Store.Note(Job.Id, message);
            Log?.Invoke(message);
        }
    }

    private static RetrainingJobRecord Start(RetrainingRequest request, ModelRegistry registry, RetrainingStore store)
    {
        request.Policy.Validate();
        if (request.Feedback.Count == 0)
            throw new ArgumentException("A retraining job needs labelled feedback to train on; pass at least one .csv/.tsv export or image class folder (--feedback).");
        if (request.Holdout is null && request.Feedback.Count != 1)
            throw new ArgumentException($"Without a holdout the job holds out the most recent feedback of its one source, but {request.Feedback.Count} were given. Pass --holdout, or one feedback source.");
        foreach (var path in request.Feedback.Append(request.Holdout).OfType<string>())
            if (!File.Exists(path) && !Directory.Exists(path))
                throw new FileNotFoundException($"The feedback '{path}' does not exist. Export the labelled feedback first (`modelloop feedback export`), then pass its file or folder.", path);
        var champion = registry.GetDefaultVersion(request.Model);
        using (var package = ModelPackage.From(registry.Load(request.Model, champion.Version.ToString(CultureInfo.InvariantCulture))))
            _ = ProductionConfig(package, request.Model, champion.Version);
        var recorded = request with
        {
            Feedback = request.Feedback.Select(Path.GetFullPath).ToArray(),
            Holdout = request.Holdout is { } holdout ? Path.GetFullPath(holdout) : null,
        };
        var reason = request.Reason ?? (request.Trigger == RetrainTrigger.Manual ? $"Run by {Environment.UserName}." : request.Trigger.ToString());
        return store.Create(recorded, request.Policy.Mode, champion.Version, reason);
    }

    /// <summary>Pending → Training: the feedback cut into training part and holdout, the holdout checked against the champion.</summary>
    private static void Prepare(JobContext context)
    {
        var (train, holdout) = Feedback(context, write: true);
        var job = context.Job;
        using var champion = LoadVersion(context, job.ChampionVersion);
        using var holdoutData = DataSource.LoadLabelled(holdout, champion);
        if (holdoutData.Count < job.Request.Policy.MinHoldout)
            throw new InvalidDataException($"The holdout '{holdout}' has {holdoutData.Count} labelled items; the policy needs at least {job.Request.Policy.MinHoldout} (minHoldout) to judge a challenger. Collect more labelled feedback, or lower minHoldout.");
        context.Advance(RetrainingJobState.Training, $"Feedback: training on {string.Join(", ", train)}; holding out {holdoutData.Count} items ({holdout}).");
    }

    /// <summary>Training → Comparing: the challenger trained and registered (or found registered by an earlier run of this job).</summary>
    private static void Train(JobContext context)
    {
        var job = context.Job;
        var registered = context.Registry.ListVersions(job.Model).LastOrDefault(v => v.Tags.TryGetValue(JobTag, out var key) && key == job.Key);
        if (registered is not null)
        {
            context.Advance(RetrainingJobState.Comparing, $"Challenger v{registered.Version} was already registered by this job; not training it again.", challenger: registered.Version);
            return;
        }
        var (train, holdout) = Feedback(context, write: false);
        TrainingConfig config;
        using (var champion = LoadVersion(context, job.ChampionVersion))
            config = ChallengerConfig(ProductionConfig(champion, job.Model, job.ChampionVersion), job.Model, job.ChampionVersion, job.Mode, job.Request.Policy, train);
        context.Note($"Training the challenger ({job.Mode}: {config.Epochs} epochs" + (config.InitFrom is { } from ? $" from {from}" : " from scratch") + $", config {config.Hash[..12]}).");
        var run = Path.Combine(context.Folder, "run");
        var result = TrainingJob.Run(config, new TrainingJobOptions
        {
            OutputDirectory = run,
            CheckpointPath = Path.Combine(context.Folder, "checkpoint.ckpt"),
            Home = context.Home,
            RunName = $"retrain-{job.Model}-job{job.Id}",
            RegisterAs = job.Model,
            Description = $"Challenger of retraining job {job.Id} ({job.Mode}, trigger {job.Trigger}).",
            Tags = new Dictionary<string, string> { [JobTag] = job.Key, [TriggerTag] = job.Trigger.ToString() },
            Progress = context.Progress,
            // Once promoted it serves the traffic it was retrained for: that traffic, not the training data, is its reference.
            ReferenceSource = holdout,
        });
        var version = result.Registered!.Version;
        var accuracy = result.Test.TryGetValue("accuracy", out var a) ? $", test accuracy {a.ToString("0.####", CultureInfo.InvariantCulture)}" : "";
        context.Advance(RetrainingJobState.Comparing, $"Registered challenger v{version} ({result.Seconds:0.#} s{accuracy}); production not moved.", challenger: version);
    }

    /// <summary>Comparing → Promoted | Rejected: both comparisons, the gate, and the alias moves (each at most once).</summary>
    private static RetrainingComparison CompareAndDecide(JobContext context)
    {
        var job = context.Job;
        var challengerVersion = job.ChallengerVersion!.Value;
        var policy = job.Request.Policy;
        var (_, holdout) = Feedback(context, write: false);
        var options = new ComparisonOptions { Alpha = policy.Alpha };
        RetrainingComparison comparison;
        using (var champion = LoadVersion(context, job.ChampionVersion))
        using (var challenger = LoadVersion(context, challengerVersion))
        {
            if (champion.ClassNames is { } classes && !classes.SequenceEqual(challenger.ClassNames ?? []))
                throw new InvalidDataException($"Champion v{job.ChampionVersion} has classes {string.Join(", ", classes)} but challenger v{challengerVersion} has {string.Join(", ", challenger.ClassNames ?? [])}; they cannot be compared item by item. Was the feedback labelled with other class names?");
            using var championHoldout = DataSource.LoadLabelled(holdout, champion);
            using var challengerHoldout = DataSource.LoadLabelled(holdout, challenger);
            var onHoldout = ChampionChallenger.Compare(champion, championHoldout, challenger, challengerHoldout, options);
            var original = ProductionConfig(champion, job.Model, job.ChampionVersion).Data;
            var onOriginal = ChampionChallenger.Compare(champion, challenger, original with { ExtraTrain = null, Replay = null }, options);
            var drop = champion.Task == ModelTask.Regression
                ? (onOriginal["mse"].Challenger - onOriginal["mse"].Champion) / Math.Max(onOriginal["mse"].Champion, double.Epsilon)
                : onOriginal["accuracy"].Champion - onOriginal["accuracy"].Challenger;
            comparison = new RetrainingComparison(onHoldout, onOriginal, drop, policy.PromotionTolerance,
                onHoldout.Verdict == ComparisonVerdict.Better && drop <= policy.PromotionTolerance);
        }
        var production = context.Registry.GetAliasVersion(job.Model, ModelRegistry.DefaultAlias);
        var stale = production is { } current && current != job.ChampionVersion && current != challengerVersion ? current : (int?)null;
        var promote = comparison.Promote && stale is null;
        var reason = Explain(job, challengerVersion, comparison, stale);
        var json = JsonSerializer.Serialize(comparison, RetrainingStore.Json);
        foreach (var alias in promote ? ChallengerPromotion.DefaultAliases : ["challenger"])
            MoveOnce(context, alias, challengerVersion, reason);
        context.Registry.SetTag(job.Model, challengerVersion, "promotion", promote ? "promoted" : "rejected");
        context.Registry.SetTag(job.Model, challengerVersion, "promotion.reason", reason);
        context.Advance(promote ? RetrainingJobState.Promoted : RetrainingJobState.Rejected, reason, comparison: json, decision: reason);
        return comparison;
    }

    /// <summary>Points the alias at the challenger unless this job already did (its key is in the alias history's reason).</summary>
    private static void MoveOnce(JobContext context, string alias, int version, string reason)
    {
        var job = context.Job;
        if (context.Registry.History(job.Model, alias).Any(change => change.ToVersion == version && change.Reason?.Contains(Marker(job), StringComparison.Ordinal) == true))
        {
            context.Note($"Alias '{alias}' already points at v{version} by this job; not moved again.");
            return;
        }
        context.Registry.SetAlias(job.Model, alias, version, reason, Actor);
        context.Note($"Moved alias '{alias}' to v{version}.");
    }

    private static string Marker(RetrainingJobRecord job) => $"Retraining job {job.Id} [{job.Key}]";

    private static string Explain(RetrainingJobRecord job, int challenger, RetrainingComparison comparison, int? stale)
    {
        static string Points(double fraction) => (fraction * 100).ToString("0.##", CultureInfo.InvariantCulture);
        var head = $"{Marker(job)} ({job.Mode}, trigger {job.Trigger}: {job.Reason.TrimEnd('.')})";
        var holdout = ChallengerPromotion.Describe(comparison.Holdout, job.ChampionVersion, challenger).Replace("test samples", "held-out feedback items", StringComparison.Ordinal);
        var original = comparison.Original.Metrics.FirstOrDefault(m => m.Metric == "accuracy") is { } accuracy
            ? string.Create(CultureInfo.InvariantCulture, $"On the original {comparison.Original.Samples:N0} test items: accuracy {accuracy.Challenger:0.####} vs {accuracy.Champion:0.####}, a drop of {Points(comparison.OriginalDrop)} points (tolerance {Points(comparison.Tolerance)}).")
            : string.Create(CultureInfo.InvariantCulture, $"On the original {comparison.Original.Samples:N0} test items: MSE up {Points(comparison.OriginalDrop)}% (tolerance {Points(comparison.Tolerance)}%).");
        var verdict = stale is { } moved ? $"Rejected: production moved to v{moved} while the job ran, so v{job.ChampionVersion} is no longer the champion it was compared with."
            : comparison.Promote ? $"Promoted v{challenger} to {string.Join(", ", ChallengerPromotion.DefaultAliases)}."
            : comparison.Holdout.Verdict != ComparisonVerdict.Better ? $"Rejected: not better on the held-out feedback ({comparison.Holdout.Verdict}); v{job.ChampionVersion} stays."
            : $"Rejected: worse than the tolerance on the original test set; v{job.ChampionVersion} stays.";
        return $"{head}. {holdout} {original} {verdict}";
    }

    /// <summary>The training part(s) and the holdout of the job's feedback: as given, or the recorded source cut into the job's folder.</summary>
    private static (IReadOnlyList<string> Train, string Holdout) Feedback(JobContext context, bool write)
    {
        var request = context.Job.Request;
        if (request.Holdout is { } holdout)
            return (request.Feedback, holdout);
        var parts = write || !Directory.Exists(context.Folder) ? FeedbackSplit.Split(request.Feedback[0], request.Policy.HoldoutFraction, context.Folder)
            : FeedbackSplit.Paths(request.Feedback[0], context.Folder);
        return ([parts.Train], parts.Holdout);
    }

    private static ModelPackage LoadVersion(JobContext context, int version) =>
        ModelPackage.From(context.Registry.Load(context.Job.Model, version.ToString(CultureInfo.InvariantCulture)));

    private static TrainingConfig ProductionConfig(ModelPackage package, string model, int version) =>
        package.Config is { } json ? TrainingConfig.FromJsonNode(json, $"the config of '{model}' v{version}")
        : throw new ArgumentException($"'{model}' v{version} records no training config, so there is nothing to retrain. Train it with `modelloop train --register {model}` (or TrainingJob) so its package holds its config.");
}
