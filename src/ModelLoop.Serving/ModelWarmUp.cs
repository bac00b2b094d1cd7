namespace ModelLoop.Serving;

/// <summary>
/// What <see cref="ServingApp.WarmUpAsync"/> found for one model: the version its default (production, else
/// latest) resolves to and, when that version cannot be loaded (a file that does not verify, an encrypted
/// artifact without its key), why. Such a model answers 503 until fixed; the others are served.
/// </summary>
public sealed record ModelWarmUp(string Name, string? Version, string? Problem)
{
    public bool Ready => Problem is null && Version is not null;
}
