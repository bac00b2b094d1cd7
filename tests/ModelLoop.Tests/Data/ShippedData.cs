namespace ModelLoop.Tests.Data;

/// <summary>Finds the CSVs shipped in the repository's datasets/ folder from the test's output folder.</summary>
internal static class ShippedData
{
    public static string Path(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = System.IO.Path.Combine(dir.FullName, "datasets", name);
            if (File.Exists(candidate))
                return candidate;
        }
        throw new FileNotFoundException($"datasets/{name} not found above {AppContext.BaseDirectory}.");
    }
}
