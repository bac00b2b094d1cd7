using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using ModelLoop.Artifacts;
using ModelLoop.Registry;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop keys generate|trust|list|remove</c>: artifact signing keys. <c>generate PATH</c> writes a P-256 key
/// pair (PATH, private; PATH's .pub.pem, public); <c>trust PUB</c> adds a public key to the registry's trusted keys,
/// which loads, <c>eval</c> and <c>serve</c> verify signatures against (<c>--require-signature</c> insists on one).
/// </summary>
internal static class KeysCommand
{
    public static Command Create() => new("keys", "Artifact signing keys: generate a key pair, trust public keys in the registry, list and remove them.")
    {
        Generate(), Trust(), List(), Remove(),
    };

    private static Command Generate()
    {
        var path = new Argument<string>("path") { Description = "Where to write the private key (PEM, owner-readable only), e.g. signing.pem; the public key goes beside it as signing.pub.pem." };
        var command = new Command("generate", $"Generate an ECDSA P-256 signing key pair. The private key is encrypted with ${ArtifactSigningKey.PasswordVariable} when set.") { path };
        command.SetAction(result =>
        {
            var target = result.GetValue(path)!;
            var key = ArtifactSigningKey.Generate();
            var password = Environment.GetEnvironmentVariable(ArtifactSigningKey.PasswordVariable);
            var publicPath = key.Save(target, password);
            AnsiConsole.MarkupLine($"Key [bold]{key.Id}[/]: private {Markup.Escape(target)}{(string.IsNullOrEmpty(password) ? "" : " (password-protected)")}, public {Markup.Escape(publicPath)}.");
            AnsiConsole.MarkupLine($"Trust it where models are loaded: [bold]modelloop keys trust {Markup.Escape(publicPath)}[/]; sign with [bold]--sign-key {Markup.Escape(target)}[/].");
            return 0;
        });
        return command;
    }

    private static Command Trust()
    {
        var home = RunsTrackingOptions.HomeOption();
        var file = new Argument<string>("public-key") { Description = "A public key file (PEM), e.g. signing.pub.pem." };
        var name = new Option<string?>("--name") { Description = "A label for the key, e.g. ci-release. Defaults to none." };
        var actor = new Option<string?>("--actor") { Description = "Who adds it, for the record. Defaults to the OS user." };
        var command = new Command("trust", "Trust a public key: artifacts it signed pass --require-signature.") { file, name, actor, home };
        command.SetAction(result =>
        {
            var trusted = new ModelRegistry(result.GetValue(home)).TrustKey(ArtifactPublicKey.FromPemFile(result.GetValue(file)!), result.GetValue(name), result.GetValue(actor));
            AnsiConsole.MarkupLine($"Trusted key [bold]{trusted.KeyId}[/]{(trusted.Name is null ? "" : $" ({Markup.Escape(trusted.Name)})")}.");
            return 0;
        });
        return command;
    }

    private static Command List()
    {
        var home = RunsTrackingOptions.HomeOption();
        var command = new Command("list", "List the registry's trusted keys.") { home };
        command.SetAction(result =>
        {
            var keys = ModelRegistry.ReadTrustedKeys(result.GetValue(home)).Count == 0 ? [] : ModelRegistry.OpenExisting(result.GetValue(home)).ListTrustedKeys();
            if (keys.Count == 0)
            {
                AnsiConsole.MarkupLine("No trusted keys. Add one with [bold]modelloop keys trust KEY.pub.pem[/] (create a pair with [bold]modelloop keys generate signing.pem[/]).");
                return 0;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Key id", "Name", "Added (UTC)", "By");
            foreach (var key in keys)
                table.AddRow(key.KeyId, Markup.Escape(key.Name ?? ""), key.AddedUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), Markup.Escape(key.AddedBy));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Remove()
    {
        var home = RunsTrackingOptions.HomeOption();
        var id = new Argument<string>("key-id") { Description = "The key id (see `modelloop keys list`)." };
        var command = new Command("remove", "Stop trusting a key.") { id, home };
        command.SetAction(result =>
        {
            ModelRegistry.OpenExisting(result.GetValue(home)).RemoveTrustedKey(result.GetValue(id)!);
            AnsiConsole.MarkupLine($"Key {Markup.Escape(result.GetValue(id)!)} is no longer trusted.");
            return 0;
        });
        return command;
    }

    /// <summary>The shared --sign-key option of commands that save or register artifacts.</summary>
    public static Option<string?> SignKeyOption() => new("--sign-key")
    {
        Description = $"Sign the artifact with this private key (PEM from `modelloop keys generate`; password in ${ArtifactSigningKey.PasswordVariable}). Defaults to none: unsigned.",
    };

    /// <summary>--require-signature and --require-encryption, shared by serve and eval.</summary>
    public static (Option<bool> Signature, Option<bool> Encryption) RequireOptions() => (
        new Option<bool>("--require-signature") { Description = "Refuse any artifact not signed by a key the registry trusts (`modelloop keys trust`). Defaults to off." },
        new Option<bool>("--require-encryption") { Description = "Refuse any artifact not encrypted at rest. Defaults to off." });
}
