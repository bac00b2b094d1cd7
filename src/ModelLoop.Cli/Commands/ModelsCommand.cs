using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using ModelLoop.Artifacts;
using ModelLoop.Storage;
using ModelLoop.Registry;

namespace ModelLoop.Cli.Commands;

/// <summary>
/// <c>modelloop models list|show|register|promote|rollback|sign</c>: the model registry from the command line.
/// Every subcommand takes <c>--home</c> (defaults to $MODELLOOP_HOME, else ./.modelloop).
/// </summary>
internal static class ModelsCommand
{
    public static Command Create() => new("models", "Model registry: named models, versions, aliases (champion, challenger, production…) and their history.")
    {
        List(), Show(), Register(), Promote(), Rollback(), Sign(),
    };

    private static Command List()
    {
        var home = RunsTrackingOptions.HomeOption();
        var command = new Command("list", "List registered models with their latest version and aliases.") { home };
        command.SetAction(result =>
        {
            // A read creates nothing: no registry yet means no models.
            var folder = ModelLoopHome.Resolve(result.GetValue(home));
            var models = File.Exists(Path.Combine(folder, "registry.db")) ? new ModelRegistry(folder).ListModels() : [];
            if (models.Count == 0)
            {
                AnsiConsole.MarkupLine($"No models registered in {Markup.Escape(folder)} yet. Register one with [bold]modelloop models register NAME ARTIFACT[/] or [bold]modelloop train --register NAME[/].");
                return 0;
            }
            var table = new Table().Border(TableBorder.Rounded).AddColumns("Model", "Latest", "Versions", "Aliases", "Created (UTC)");
            foreach (var m in models)
                table.AddRow(Markup.Escape(m.Name), $"v{m.LatestVersion}", m.VersionCount.ToString(CultureInfo.InvariantCulture),
                    Markup.Escape(string.Join(", ", m.Aliases.Select(a => $"{a.Key}→v{a.Value}"))), m.CreatedUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture));
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static Command Show()
    {
        var home = RunsTrackingOptions.HomeOption();
        var name = new Argument<string>("name") { Description = "Model name." };
        var reference = new Argument<string?>("version") { Description = "A version (3 or v3), 'latest' or an alias. Defaults to all versions and the alias history.", Arity = ArgumentArity.ZeroOrOne };
        var command = new Command("show", "Show a model's versions and alias history, or one version in detail.") { name, reference, home };
        command.SetAction(result =>
        {
            var registry = ModelRegistry.OpenExisting(result.GetValue(home));
            var model = result.GetValue(name)!;
            if (result.GetValue(reference) is { } which)
            {
                PrintVersion(registry, registry.GetVersion(model, which));
                return 0;
            }
            var versions = new Table().Border(TableBorder.Rounded).Title(Markup.Escape(model)).AddColumns("Version", "Aliases", "Metrics", "Run", "Dataset", "Created (UTC)", "By");
            foreach (var v in registry.ListVersions(model))
                versions.AddRow($"v{v.Version}", Markup.Escape(string.Join(", ", v.Aliases)), Markup.Escape(Metrics(v.Metrics)), Markup.Escape(v.RunId ?? ""),
                    Markup.Escape(Short(v.DatasetManifestHash)), v.CreatedUtc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), Markup.Escape(v.CreatedBy));
            AnsiConsole.Write(versions);
            var history = registry.History(model);
            if (history.Count > 0)
            {
                var table = new Table().Border(TableBorder.Rounded).Title("Alias history").AddColumns("When (UTC)", "Alias", "Move", "Kind", "Who", "Why");
                foreach (var h in history)
                    table.AddRow(h.AtUtc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), Markup.Escape(h.Alias), h.FromVersion is { } f ? $"v{f} → v{h.ToVersion}" : $"→ v{h.ToVersion}",
                        h.Kind.ToString(), Markup.Escape(h.Actor), Markup.Escape(h.Reason ?? ""));
                AnsiConsole.Write(table);
            }
            return 0;
        });
        return command;
    }

    private static Command Register()
    {
        var home = RunsTrackingOptions.HomeOption();
        var name = new Argument<string>("name") { Description = "Model name, e.g. fashion-cnn." };
        var artifact = new Argument<string>("artifact") { Description = "Artifact folder or .zip (e.g. runs/train/artifact)." };
        var alias = new Option<string[]>("--alias") { Description = "Aliases to point at the new version. Repeatable." };
        var tag = new Option<string[]>("--tag") { Description = "KEY=VALUE tags on the new version. Repeatable." };
        var description = new Option<string?>("--description") { Description = "Defaults to the artifact's description." };
        var actor = ActorOption();
        var keyFile = new Option<string?>("--key-file") { Description = $"Key of an encrypted artifact. Defaults to ${ArtifactEncryptionKey.EnvironmentVariable}." };
        var signKey = KeysCommand.SignKeyOption();
        var requireSignature = new Option<bool>("--require-signature") { Description = "Refuse an artifact not signed by a key the registry trusts (unless --sign-key signs it now). Defaults to off." };
        var command = new Command("register", "Verify an artifact and register it as the next version of a model.") { name, artifact, alias, tag, description, actor, keyFile, signKey, requireSignature, home };
        command.SetAction(result =>
        {
            var tags = (result.GetValue(tag) ?? []).Select(t => t.Split('=', 2)).ToList();
            if (tags.FirstOrDefault(t => t.Length != 2 || t[0].Length == 0) is { } bad)
                throw new ArgumentException($"--tag '{string.Join("=", bad)}' is not KEY=VALUE, e.g. --tag dataset=fashion-mnist.");
            if (tags.GroupBy(t => t[0], StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } repeated)
                throw new ArgumentException($"--tag '{repeated.Key}' was given {repeated.Count()} times ({string.Join(", ", repeated.Select(t => t[1]))}); a version has one value per tag key. Keep one.");
            var version = new ModelRegistry(result.GetValue(home)).Register(result.GetValue(name)!, result.GetValue(artifact)!, new RegisterOptions
            {
                Aliases = result.GetValue(alias) ?? [],
                Tags = tags.ToDictionary(t => t[0], t => t[1]),
                Description = result.GetValue(description),
                Actor = result.GetValue(actor),
                EncryptionKey = result.GetValue(keyFile) is { } file ? ArtifactEncryptionKey.FromFile(file) : null,
                SigningKey = result.GetValue(signKey) is { } pem ? ArtifactSigningKey.FromPemFile(pem) : null,
                RequireSignature = result.GetValue(requireSignature),
            });
            AnsiConsole.MarkupLine($"Registered [bold]{Markup.Escape(version.Name)}[/] v{version.Version}{(version.Aliases.Count > 0 ? " (" + Markup.Escape(string.Join(", ", version.Aliases)) + ")" : "")}.");
            return 0;
        });
        return command;
    }

    private static Command Promote()
    {
        var home = RunsTrackingOptions.HomeOption();
        var name = new Argument<string>("name") { Description = "Model name." };
        var reference = new Argument<string>("version") { Description = "The version to promote: 3, v3, latest, or an alias (e.g. challenger)." };
        var alias = new Option<string>("--alias", "--to") { Description = "The alias to move. Defaults to production.", DefaultValueFactory = _ => "production" };
        var reason = new Option<string?>("--reason") { Description = "Why, kept in the history." };
        var actor = ActorOption();
        var command = new Command("promote", "Point an alias at a version (atomically), recording who, when and why.") { name, reference, alias, reason, actor, home };
        command.SetAction(result =>
        {
            var registry = new ModelRegistry(result.GetValue(home));
            var model = result.GetValue(name)!;
            var version = registry.GetVersion(model, result.GetValue(reference)!);
            var change = registry.SetAlias(model, result.GetValue(alias)!, version.Version, result.GetValue(reason), result.GetValue(actor));
            AnsiConsole.MarkupLine($"{Markup.Escape(model)}: [bold]{Markup.Escape(change.Alias)}[/] {(change.FromVersion is { } f ? $"v{f} → " : "→ ")}v{change.ToVersion}.");
            return 0;
        });
        return command;
    }

    private static Command Rollback()
    {
        var home = RunsTrackingOptions.HomeOption();
        var name = new Argument<string>("name") { Description = "Model name." };
        var alias = new Option<string>("--alias") { Description = "The alias to move back. Defaults to production.", DefaultValueFactory = _ => "production" };
        var reason = new Option<string?>("--reason") { Description = "Why, kept in the history." };
        var actor = ActorOption();
        var command = new Command("rollback", "Move an alias back to the version it had before its last promotion.") { name, alias, reason, actor, home };
        command.SetAction(result =>
        {
            var model = result.GetValue(name)!;
            var change = new ModelRegistry(result.GetValue(home)).Rollback(model, result.GetValue(alias)!, result.GetValue(reason), result.GetValue(actor));
            AnsiConsole.MarkupLine($"{Markup.Escape(model)}: [bold]{Markup.Escape(change.Alias)}[/] rolled back v{change.FromVersion} → v{change.ToVersion}.");
            return 0;
        });
        return command;
    }

    private static Command Sign()
    {
        var artifact = new Argument<string>("artifact") { Description = "Artifact folder or .zip (e.g. runs/train/artifact) to sign in place." };
        var signKey = KeysCommand.SignKeyOption();
        signKey.Required = true;
        var command = new Command("sign", "Sign an artifact's manifest (ECDSA P-256) after checking every checksum; register it afterwards (a registered copy is signed with `register --sign-key`).") { artifact, signKey };
        command.SetAction(result =>
        {
            var key = ArtifactSigningKey.FromPemFile(result.GetValue(signKey)!);
            var path = result.GetValue(artifact)!;
            // An artifact inside a run folder: its checksums.json must hold before, and is rewritten over the signed manifest.
            var run = Path.GetDirectoryName(Path.GetFullPath(path).TrimEnd(Path.DirectorySeparatorChar))!;
            var inRun = Loop.RunFolderChecksums.Verify(run);
            var sha = ModelArtifact.Sign(path, key);
            if (inRun)
                Loop.RunFolderChecksums.Write(run);
            AnsiConsole.MarkupLine($"Signed {Markup.Escape(result.GetValue(artifact)!)} with key [bold]{key.Id}[/] (manifest sha256 {sha}).");
            return 0;
        });
        return command;
    }

    private static void PrintVersion(ModelRegistry registry, ModelVersion v)
    {
        var table = new Table().Border(TableBorder.Rounded).Title(Markup.Escape($"{v.Name} v{v.Version}")).AddColumn("Field").AddColumn("Value");
        table.AddRow("aliases", Markup.Escape(string.Join(", ", v.Aliases)));
        table.AddRow("artifact", Markup.Escape(v.ArtifactPath));
        table.AddRow("manifest sha256", v.ManifestSha256);
        table.AddRow("run", Markup.Escape(v.RunId ?? "(none)"));
        table.AddRow("dataset", Markup.Escape(v.DatasetManifestHash ?? "(none)"));
        foreach (var (key, value) in v.Metrics)
            table.AddRow(Markup.Escape(key), value.ToString("G6", CultureInfo.InvariantCulture));
        foreach (var (key, value) in v.Tags)
            table.AddRow(Markup.Escape($"tag {key}"), Markup.Escape(value));
        table.AddRow("description", Markup.Escape(v.Description ?? ""));
        table.AddRow("created", Markup.Escape($"{v.CreatedUtc:yyyy-MM-dd HH:mm:ss} UTC by {v.CreatedBy}"));
        AnsiConsole.Write(table);
    }

    private static Option<string?> ActorOption() => new("--actor") { Description = "Who makes the change, for the history. Defaults to the OS user." };

    private static string Metrics(IReadOnlyDictionary<string, double> metrics) =>
        string.Join(", ", metrics.Take(3).Select(m => $"{m.Key}={m.Value.ToString("G4", CultureInfo.InvariantCulture)}"));

    private static string Short(string? hash) => hash is null ? "" : hash.Length > 24 ? hash[..24] + "…" : hash;
}
