namespace ModelLoop.Monitoring.Retraining;

/// <summary>
/// One retraining of a model at a time per home: an exclusive lock on <c>retraining/NAME.lock</c>, held while a job
/// runs. The operating system drops it when the process ends, however it ends (<c>kill -9</c> included), so a
/// resumed job never waits for a dead one, and two live runs cannot both move the aliases.
/// </summary>
internal sealed class RetrainingLock : IDisposable
{
    private readonly FileStream _file;

    private RetrainingLock(FileStream file) => _file = file;

    /// <exception cref="InvalidOperationException">Another live process holds the lock.</exception>
    public static RetrainingLock Acquire(string home, string model)
    {
        var path = Path.Combine(home, "retraining", model + ".lock");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            return new RetrainingLock(new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException e)
        {
            throw new InvalidOperationException($"A retraining of '{model}' is already running in {home} (it holds {path}). Wait for it to finish; if it is killed, run again to resume its job.", e);
        }
    }

    public void Dispose() => _file.Dispose();
}
