using ModelLoop.Artifacts;
using ModelLoop.Loop;
using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Tests.Training;

namespace ModelLoop.Tests.Loop;

public sealed class RunFolderChecksumsTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private string Run()
    {
        var run = _folder.File("run");
        using var model = new Sequential(4) { new Dense(2) };
        ModelArtifact.Save(model, Path.Combine(run, "artifact"));
        File.WriteAllText(Path.Combine(run, "summary.json"), "{}");
        RunFolderChecksums.Write(run);
        return run;
    }

    private static ArtifactCheck? CheckOf(Action verify) => ArtifactCheckFailure.Of(Assert.Throws<InvalidDataException>(verify));

    [Fact]
    public void An_intact_run_folder_verifies_and_a_folder_without_checksums_is_not_checked()
    {
        var run = Run();

        Assert.True(RunFolderChecksums.Verify(run));
        Assert.False(RunFolderChecksums.Verify(Path.Combine(run, "artifact")));
    }

    [Fact]
    public void A_manifest_swapped_with_its_weights_is_refused_by_the_run_folder_checksum()
    {
        // Another artifact's files, consistent among themselves, dropped into the run's artifact/.
        var run = Run();
        using var other = new Sequential(4) { new Dense(2) };
        ModelArtifact.Save(other, Path.Combine(run, "artifact"), options: new ArtifactSaveOptions { Overwrite = true });

        Assert.Equal(ArtifactCheck.RunFolderChecksum, CheckOf(() => RunFolderChecksums.Verify(run)));
    }

    [Fact]
    public void A_file_added_to_the_artifact_or_removed_from_the_run_is_refused_naming_it()
    {
        var run = Run();
        File.WriteAllText(Path.Combine(run, "artifact", "extra.bin"), "x");
        var added = Assert.Throws<InvalidDataException>(() => RunFolderChecksums.Verify(run));
        File.Delete(Path.Combine(run, "artifact", "extra.bin"));
        File.Delete(Path.Combine(run, "summary.json"));
        var removed = Assert.Throws<InvalidDataException>(() => RunFolderChecksums.Verify(run));

        Assert.Contains("artifact/extra.bin", added.Message);
        Assert.Contains("summary.json is missing", removed.Message);
    }

    [Fact]
    public void Reports_written_later_outside_the_artifact_do_not_fail_the_run()
    {
        var run = Run();
        Directory.CreateDirectory(Path.Combine(run, "eval"));
        File.WriteAllText(Path.Combine(run, "eval", "report.html"), "<html/>");

        Assert.True(RunFolderChecksums.Verify(run));
    }
}
