using ModelLoop.Tracking;
using ModelLoop.Registry;
// Writes to a registry or run store in a loop until killed, for the kill-mid-write tests.
//
//   dotnet ModelLoop.Tests.RegistryChild.dll registry --home DIR --artifact PATH
//       every 4th write registers the artifact as a new version of "m" (3 tags, alias "champion"),
//       the others move alias "production" to a random version.
//   dotnet ModelLoop.Tests.RegistryChild.dll runs --home DIR
//       starts a run, then logs 10 metrics per step, one transaction per step.
//
// Prints "ready" once the first write is committed, then writes as fast as it can. Every write is one
// transaction; the test checks afterwards that each one is entirely there or entirely absent.

var arguments = args.Skip(1).Chunk(2).Where(p => p.Length == 2).ToDictionary(p => p[0], p => p[1]);
if (args.Length == 0 || !arguments.TryGetValue("--home", out var home))
{
    Console.Error.WriteLine("Usage: ModelLoop.Tests.RegistryChild registry|runs --home DIR [--artifact PATH]");
    return 2;
}
var random = new Random();
switch (args[0])
{
    case "registry":
        var registry = new ModelRegistry(home);
        var tags = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2", ["c"] = "3" };
        for (long i = 0; ; i++)
        {
            if (i % 4 == 0)
                registry.Register("m", arguments["--artifact"], new RegisterOptions { Tags = tags, Aliases = ["champion"], Actor = "child" });
            else
                registry.SetAlias("m", "production", random.Next(1, registry.GetVersion("m", "latest").Version + 1), $"write {i}", "child");
            if (i == 0)
                Ready();
        }
    case "runs":
        var store = new RunStore(home);
        var run = store.StartRun("child");
        for (long step = 1; ; step++)
        {
            store.LogMetrics(run, step, Enumerable.Range(0, 10).ToDictionary(k => $"m{k}", k => (double)step));
            if (step == 1)
                Ready();
        }
    default:
        Console.Error.WriteLine($"Unknown mode '{args[0]}'; expected registry or runs.");
        return 2;
}

static void Ready()
{
    Console.WriteLine("ready");
    Console.Out.Flush();
}
