using System.CommandLine;
using ModelLoop.Artifacts;
using ModelLoop.Storage;
using ModelLoop.Loop;
using ModelLoop.Registry;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// Options of commands that train: <c>--home</c> (the run store and registry folder), <c>--no-track</c>,
/// <c>--register NAME</c> and <c>--alias A</c>. Runs are tracked by default.
/// </summary>
internal sealed class RunsTrackingOptions
{
    public Option<string?> Home { get; } = HomeOption();
    public Option<bool> NoTrack { get; } = new("--no-track") { Description = "Do not record the run in the run store. Defaults to false (runs are recorded)." };
    public Option<string?> Register { get; } = new("--register") { Description = "Register the trained model's artifact in the registry under this name (a new version)." };
    public Option<string[]> Alias { get; } = new("--alias") { Description = "With --register: aliases to point at the new version (e.g. challenger). Repeatable.", AllowMultipleArgumentsPerToken = false };
    public Option<string?> SignKey { get; } = KeysCommand.SignKeyOption();
    public Option<bool> Encrypt { get; } = new("--encrypt") { Description = $"Encrypt the saved artifact (AES-256-GCM) with the key in ${ArtifactEncryptionKey.EnvironmentVariable} (base64). Defaults to false." };

    /// <summary>The shared --home option: registry and run store folder.</summary>
    public static Option<string?> HomeOption() => new("--home")
    {
        Description = $"Folder of the run store and model registry. Defaults to ${ModelLoopHome.EnvironmentVariable}, else .modelloop in the current directory.",
    };

    public void AddTo(Command command)
    {
        command.Add(Home);
        command.Add(NoTrack);
        command.Add(Register);
        command.Add(Alias);
        command.Add(Encrypt);
        command.Add(SignKey);
    }

    /// <summary>The job options with the tracking, registration and encryption the user asked for.</summary>
    public TrainingJobOptions Apply(ParseResult result, TrainingJobOptions options)
    {
        var aliases = result.GetValue(Alias) ?? [];
        var register = result.GetValue(Register);
        if (aliases.Length > 0 && register is null)
            throw new ArgumentException($"--alias {string.Join(" ", aliases)} needs --register NAME: an alias points at a registered version.");
        // Checked before training, so a typo does not cost a whole run.
        if (register is not null)
            ModelRegistry.CheckName(register);
        foreach (var alias in aliases)
            ModelRegistry.CheckAlias(alias);
        var key = result.GetValue(Encrypt)
            ? ArtifactEncryptionKey.FromEnvironment() ?? throw new ArgumentException($"--encrypt needs a key in ${ArtifactEncryptionKey.EnvironmentVariable} (32 bytes, base64), e.g. export {ArtifactEncryptionKey.EnvironmentVariable}=$(openssl rand -base64 32).")
            : null;
        return options with
        {
            Home = ModelLoopHome.Resolve(result.GetValue(Home)),
            Track = !result.GetValue(NoTrack),
            RegisterAs = register,
            Aliases = aliases,
            EncryptionKey = key,
            SigningKey = result.GetValue(SignKey) is { } signKey ? ArtifactSigningKey.FromPemFile(signKey) : null,
        };
    }
}
