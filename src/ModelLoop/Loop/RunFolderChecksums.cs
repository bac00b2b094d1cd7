using System.Text.Json;
using System.Text.Json.Nodes;
using ModelLoop.Artifacts;
using ModelLoop.IO;

namespace ModelLoop.Loop;

/// <summary>
/// A run folder's <c>checksums.json</c>: the SHA-256 and size of every file the training job wrote (config.json,
/// history.csv, summary.json, dataset.json and each file of artifact/, paths relative to the run folder, '/'-separated),
/// written last (<see cref="Write"/>). <c>serve --models</c> verifies it before loading a run's artifact, so a run folder copied half-way, a
/// file replaced in it, or a file added to its artifact/ is refused naming the file. It catches corruption and edits
/// that leave checksums.json alone; an attacker who can rewrite the folder can rewrite it too, which a signed artifact
/// (<see cref="ArtifactSaveOptions.SigningKey"/>, <c>serve --require-signature</c>) guards against.
/// Files added later outside artifact/ (e.g. eval/ reports) are not its concern.
/// </summary>
public static class RunFolderChecksums
{
    /// <summary>The file's name in the run folder: checksums.json.</summary>
    public const string FileName = "checksums.json";
    private const string Format = "modelloop-run-checksums";
    private const string ArtifactFolder = "artifact";

    /// <summary>The files of a run the training job writes beside artifact/; those present are listed.</summary>
    private static readonly string[] RunFiles = ["config.json", "history.csv", "summary.json", "dataset.json"];

    /// <summary>
    /// Writes checksums.json (atomically) over the run's own files: config.json, history.csv, summary.json and dataset.json
    /// where present, and every file of artifact/. Other files in the folder (a checkpoint, reports) are not listed.
    /// </summary>
    public static void Write(string runFolder)
    {
        var files = new JsonObject();
        var artifact = Path.Combine(runFolder, ArtifactFolder);
        var listed = RunFiles.Where(f => File.Exists(Path.Combine(runFolder, f)))
            .Concat(Directory.Exists(artifact) ? Directory.EnumerateFiles(artifact, "*", SearchOption.AllDirectories).Select(f => Relative(runFolder, f)) : []);
        foreach (var file in listed.Order(StringComparer.Ordinal))
        {
            var bytes = File.ReadAllBytes(Path.Combine(runFolder, file));
            files[file] = new JsonObject { ["sha256"] = ModelArtifact.Sha256(bytes), ["bytes"] = bytes.LongLength };
        }
        AtomicFile.WriteAllText(Path.Combine(runFolder, FileName), new JsonObject { ["format"] = Format, ["files"] = files }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>
    /// Verifies <paramref name="runFolder"/> against its checksums.json; false when it has none (an artifact folder, or a
    /// run written before checksums were recorded), true when every listed file matches and artifact/ holds only listed files.
    /// </summary>
    /// <exception cref="InvalidDataException">A listed file is missing or differs, or artifact/ holds an unlisted file
    /// (<see cref="ArtifactCheck.RunFolderChecksum"/>; the message names the file).</exception>
    public static bool Verify(string runFolder)
    {
        var path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path))
            return false;
        JsonObject listed;
        try
        {
            var document = JsonNode.Parse(File.ReadAllBytes(path)) as JsonObject;
            if ((string?)document?["format"] != Format || document["files"] is not JsonObject files)
                throw ArtifactCheckFailure.Create(ArtifactCheck.RunFolderChecksum, $"'{path}' is not a run folder's checksums (expected {{ \"format\": \"{Format}\", \"files\": {{…}} }}). Restore it, or delete it to serve the run on its artifact's own checks.");
            listed = files;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw ArtifactCheckFailure.Create(ArtifactCheck.RunFolderChecksum, $"'{path}' is not valid: {e.Message}", e);
        }
        foreach (var (file, entry) in listed)
        {
            var full = Path.GetFullPath(Path.Combine(runFolder, file));
            if (!full.StartsWith(Path.GetFullPath(runFolder) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                throw ArtifactCheckFailure.Create(ArtifactCheck.RunFolderChecksum, $"'{path}' lists '{file}', outside the run folder. Refusing the run.");
            if (!File.Exists(full))
                throw ArtifactCheckFailure.Create(ArtifactCheck.RunFolderChecksum, $"{file} is missing from run folder '{runFolder}' although {FileName} lists it. The run was copied incompletely or edited; copy it again.");
            var actual = ModelArtifact.Sha256(File.ReadAllBytes(full));
            if (!string.Equals(actual, (string?)entry?["sha256"], StringComparison.OrdinalIgnoreCase))
                throw ArtifactCheckFailure.Create(ArtifactCheck.RunFolderChecksum, $"{file} in run folder '{runFolder}' has SHA-256 {actual}, but {FileName} records {entry?["sha256"]}. The file is corrupt or was changed after training; refusing the run.");
        }
        var artifact = Path.Combine(runFolder, ArtifactFolder);
        if (Directory.Exists(artifact))
            foreach (var file in Directory.EnumerateFiles(artifact, "*", SearchOption.AllDirectories).Select(f => Relative(runFolder, f)))
                if (!listed.ContainsKey(file))
                    throw ArtifactCheckFailure.Create(ArtifactCheck.RunFolderChecksum, $"{file} in run folder '{runFolder}' is not listed in {FileName}: it was added after training. Remove it, or train again.");
        return true;
    }

    private static string Relative(string root, string file) => Path.GetRelativePath(root, file).Replace(Path.DirectorySeparatorChar, '/');
}
