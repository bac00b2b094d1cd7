using ModelLoop.Artifacts;
using ModelLoop.Tests.Training;

namespace ModelLoop.Tests.Artifacts;

public sealed class ArtifactSigningKeyTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void A_saved_key_pair_reads_back_with_the_same_key_id()
    {
        var key = ArtifactSigningKey.Generate();

        var publicPath = key.Save(_folder.File("signing.pem"));

        Assert.Equal(_folder.File("signing.pub.pem"), publicPath);
        Assert.Equal(key.Id, ArtifactSigningKey.FromPemFile(_folder.File("signing.pem")).Id);
        Assert.Equal(key.Id, ArtifactPublicKey.FromPemFile(publicPath).Id);
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_folder.File("signing.pem")));
    }

    [Fact]
    public void A_password_protected_key_opens_only_with_its_password()
    {
        var key = ArtifactSigningKey.Generate();
        key.Save(_folder.File("signing.pem"), "correct horse");

        var none = Assert.Throws<FormatException>(() => ArtifactSigningKey.FromPemFile(_folder.File("signing.pem"), password: null));
        var wrong = Assert.Throws<FormatException>(() => ArtifactSigningKey.FromPemFile(_folder.File("signing.pem"), "battery staple"));

        Assert.Equal(key.Id, ArtifactSigningKey.FromPemFile(_folder.File("signing.pem"), "correct horse").Id);
        Assert.Contains(ArtifactSigningKey.PasswordVariable, none.Message);
        Assert.Contains(ArtifactSigningKey.PasswordVariable, wrong.Message);
    }

    [Fact]
    public void An_existing_key_file_is_never_overwritten()
    {
        File.WriteAllText(_folder.File("signing.pem"), "old");

        var error = Assert.Throws<IOException>(() => ArtifactSigningKey.Generate().Save(_folder.File("signing.pem")));

        Assert.Contains("never overwritten", error.Message);
        Assert.Equal("old", File.ReadAllText(_folder.File("signing.pem")));
    }

    [Fact]
    public void A_private_key_offered_as_a_trusted_public_key_is_refused()
    {
        ArtifactSigningKey.Generate().Save(_folder.File("signing.pem"));

        var error = Assert.Throws<FormatException>(() => ArtifactPublicKey.FromPemFile(_folder.File("signing.pem")));

        Assert.Contains("private key", error.Message);
    }
}
