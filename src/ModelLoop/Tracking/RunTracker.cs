using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ModelLoop.Training;

namespace ModelLoop.Tracking;

/// <summary>
/// Records a <c>Fit</c> in a <see cref="RunStore"/>: starts the run when training begins (with the given
/// parameters plus epochs, batches per epoch, learning rate and parameter count), logs every epoch's
/// logs at step = epoch number, the running batch loss as "batch/loss" every <see cref="BatchLogInterval"/>
/// steps, beats a heartbeat, and ends the run as finished when training ends. A caller that catches
/// an exception from Fit calls <see cref="Fail"/>. Resuming from a checkpoint continues the same run.
/// <code>
/// var tracker = new RunTracker(new RunStore(), "fashion-cnn", new Dictionary&lt;string, string&gt; { ["model"] = "keras-cnn" });
/// model.Fit(train, options, callbacks: [tracker]);
/// </code>
/// </summary>
public sealed class RunTracker : Callback
{
    private readonly RunStore _store;
    private readonly string _name;
    private readonly IReadOnlyDictionary<string, string> _parameters;
    private readonly string? _datasetManifestHash;
    private readonly Stopwatch _sinceBeat = new();

    public RunTracker(RunStore store, string name, IReadOnlyDictionary<string, string>? parameters = null, string? datasetManifestHash = null)
    {
        _store = store ?? throw new ArgumentNullException(nameof(store));
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _name = name;
        _parameters = parameters ?? new Dictionary<string, string>();
        _datasetManifestHash = datasetManifestHash;
    }

    /// <summary>The run being recorded; null until training begins.</summary>
    public string? RunId { get; private set; }

    /// <summary>Log "batch/loss" every this many batches; 0 turns it off. Defaults to 50.</summary>
    public int BatchLogInterval { get; init; } = 50;

    /// <summary>
    /// End the run as finished in <see cref="OnTrainEnd"/>. Defaults to true; set false when the caller
    /// logs more (test metrics, artifacts) and calls <see cref="Finish"/> itself.
    /// </summary>
    public bool FinishOnTrainEnd { get; init; } = true;

    public override void OnTrainBegin(TrainingContext context)
    {
        var parameters = new Dictionary<string, string>(_parameters)
        {
            ["epochs"] = context.Epochs.ToString(CultureInfo.InvariantCulture),
            ["batches_per_epoch"] = context.BatchesPerEpoch.ToString(CultureInfo.InvariantCulture),
            ["learning_rate"] = context.LearningRate.ToString("R", CultureInfo.InvariantCulture),
            ["model_parameters"] = context.Model.ParameterCount.ToString(CultureInfo.InvariantCulture),
        };
        if (RunId is null)
            RunId = _store.StartRun(_name, parameters, _datasetManifestHash);
        else
            _store.ReopenRun(RunId); // Fit called again on the same tracker: the same run continues
        _sinceBeat.Restart();
    }

    public override void OnBatchEnd(TrainingContext context)
    {
        if (RunId is null)
            return;
        var step = context.Epoch * context.BatchesPerEpoch + context.Batch + 1;
        if (BatchLogInterval > 0 && step % BatchLogInterval == 0 && context.Logs.TryGetValue("loss", out var loss))
        {
            _store.LogMetrics(RunId, step, new Dictionary<string, double> { ["batch/loss"] = loss });
            _sinceBeat.Restart();
        }
        else if (_sinceBeat.Elapsed > TimeSpan.FromSeconds(30))
        {
            _store.Heartbeat(RunId);
            _sinceBeat.Restart();
        }
    }

    public override void OnEpochEnd(TrainingContext context)
    {
        if (RunId is not null)
            _store.LogMetrics(RunId, context.Epoch + 1, context.Logs);
        _sinceBeat.Restart();
    }

    public override void OnTrainEnd(TrainingContext context)
    {
        if (FinishOnTrainEnd)
            Finish();
    }

    /// <summary>Ends the run as finished, first logging <paramref name="finalMetrics"/> (e.g. "test_accuracy") as run-level values (step 0).</summary>
    public void Finish(IReadOnlyDictionary<string, double>? finalMetrics = null)
    {
        var runId = RunId ?? throw new InvalidOperationException("The run has not started: Finish is called after Fit, with this tracker among its callbacks.");
        if (finalMetrics is { Count: > 0 })
            _store.LogMetrics(runId, 0, finalMetrics);
        _store.EndRun(runId, RunStatus.Finished);
    }

    /// <summary>Ends the run as failed with the exception's type and message. Does nothing before the run started.</summary>
    public void Fail(Exception error)
    {
        if (RunId is not null)
            _store.EndRun(RunId, RunStatus.Failed, $"{error.GetType().Name}: {error.Message}");
    }

    /// <summary>Keeps the run id in checkpoints, so a resumed training continues the run it started.</summary>
    public override JsonNode? SaveState() => RunId is null ? null : new JsonObject { ["runId"] = RunId };

    /// <summary>
    /// Called on resume after <see cref="OnTrainBegin"/> started a fresh run: drop that one and reopen the
    /// run the checkpoint belongs to (it shows as killed, or failed, until now).
    /// </summary>
    public override void LoadState(JsonNode state)
    {
        if ((string?)state["runId"] is not { } previous || previous == RunId)
            return;
        try
        {
            _store.ReopenRun(previous);
        }
        catch (KeyNotFoundException)
        {
            return; // the checkpoint came from another store: keep the fresh run
        }
        if (RunId is not null)
            _store.DeleteRun(RunId);
        RunId = previous;
    }
}
