namespace ModelLoop.Cli.Tests;

/// <summary>The CSVs shipped in the repository's datasets/ folder, found from the test's output folder upwards.</summary>
internal static class ShippedDatasets
{
    public static string Find(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "datasets", name);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException($"datasets/{name} not found above the test folder ({AppContext.BaseDirectory}).");
    }
}
