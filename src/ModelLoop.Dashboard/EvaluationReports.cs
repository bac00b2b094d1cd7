namespace ModelLoop.Dashboard;

/// <summary>
/// Where a model version's evaluation report is: <c>eval/report.html</c> in the run folder that holds its artifact (what
/// <c>modelloop train</c>, the demo and <c>modelloop eval RUN</c> write), else <c>eval/NAME-vN/report.html</c> under the
/// home (what <c>modelloop eval NAME:N</c> writes from there).
/// </summary>
internal static class EvaluationReports
{
    public static string? Find(DashboardStores stores, Registry.ModelVersion version)
    {
        var candidates = new List<string>();
        if (version.RunId is { } runId && stores.Runs is { } runs)
        {
            try
            {
                foreach (var artifact in runs.GetRun(runId).Artifacts.Where(a => a.Name == "artifact"))
                    candidates.Add(Path.Combine(Path.GetDirectoryName(artifact.Path.TrimEnd('/', '\\'))!, "eval", "report.html"));
            }
            catch (KeyNotFoundException)
            {
                // The run was deleted; the home's eval folder may still hold a report.
            }
        }
        candidates.Add(Path.Combine(stores.Home, "eval", $"{version.Name}-v{version.Version}", "report.html"));
        return candidates.FirstOrDefault(File.Exists);
    }
}
