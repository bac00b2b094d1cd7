using System.Xml.Linq;

namespace ModelLoop.Tests;

public sealed class CentralPackageTests
{
    [Fact]
    public void EveryPackageVersionInDirectoryPackagesPropsIsReferencedBySomeProject()
    {
        var root = RepositoryRoot();
        var pinned = XDocument.Load(Path.Combine(root, "Directory.Packages.props")).Descendants("PackageVersion")
            .Select(e => (string)e.Attribute("Include")!).ToArray();
        var referenced = Directory.EnumerateFiles(root, "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".csproj", StringComparison.Ordinal) || Path.GetFileName(f) is "Directory.Build.props" or "Directory.Build.targets")
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => XDocument.Load(f).Descendants("PackageReference").Select(e => (string?)e.Attribute("Include") ?? (string?)e.Attribute("Update")))
            .OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);

        var unused = pinned.Where(p => !referenced.Contains(p)).ToArray();

        Assert.True(unused.Length == 0, $"Directory.Packages.props pins packages no project references: {string.Join(", ", unused)}. Remove them (a transitive dependency resolves without a pin).");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ModelLoop.slnx")))
                return dir.FullName;
        throw new DirectoryNotFoundException($"ModelLoop.slnx not found above the test folder ({AppContext.BaseDirectory}).");
    }
}
