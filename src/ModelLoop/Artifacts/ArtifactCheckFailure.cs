namespace ModelLoop.Artifacts;

/// <summary>
/// Says which integrity check an artifact failed. The failure is an <see cref="InvalidDataException"/> (what every caller
/// that refuses an invalid artifact already catches) whose message starts with the check ("Signature check failed: …")
/// and says what was found and what to do; <see cref="Of"/> reads the <see cref="ArtifactCheck"/> back from it.
/// </summary>
public static class ArtifactCheckFailure
{
    // Exception.Data rather than a subclass: InvalidDataException is sealed.
    private const string DataKey = "ModelLoop.ArtifactCheck";

    /// <summary>The check <paramref name="exception"/> reports, or null when it is not an artifact check failure.</summary>
    public static ArtifactCheck? Of(Exception exception) =>
        exception?.Data[DataKey] is ArtifactCheck check ? check : null;

    /// <summary>The check's name as messages start with it, e.g. "Trusted-key".</summary>
    public static string Describe(ArtifactCheck check) => check switch
    {
        ArtifactCheck.RegisteredManifest => "Registered-manifest",
        ArtifactCheck.TrustedKey => "Trusted-key",
        ArtifactCheck.AuthenticatedData => "Authenticated-data",
        ArtifactCheck.RunFolderChecksum => "Run-folder checksum",
        _ => check.ToString(),
    };

    internal static InvalidDataException Create(ArtifactCheck check, string message, Exception? inner = null)
    {
        var failure = new InvalidDataException($"{Describe(check)} check failed: {message}", inner);
        failure.Data[DataKey] = check;
        return failure;
    }
}
