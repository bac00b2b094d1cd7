using ModelLoop.Language.Generation.Scheduling;
using ModelLoop.Language.Packaging;

namespace ModelLoop.Serving.Language;

/// <summary>One language-model version being served: its package (model + tokenizer) and the scheduler that batches its requests.</summary>
internal sealed class LoadedLanguageModel(string name, string version, LanguageModelPackage package, GenerationScheduler scheduler) : IDisposable
{
    public string Name { get; } = name;
    public string Version { get; } = version;
    public LanguageModelPackage Package { get; } = package;
    public GenerationScheduler Scheduler { get; } = scheduler;

    /// <summary>UTC ticks of its last request, for unloading the least recently used.</summary>
    public long LastUsed;

    /// <summary>Whether it holds or awaits no sequence (unloading it then fails no request).</summary>
    public bool IsIdle => Scheduler.ActiveSequences == 0 && Scheduler.WaitingSequences == 0;

    public void Dispose()
    {
        Scheduler.Dispose();
        Package.Dispose();
    }
}
