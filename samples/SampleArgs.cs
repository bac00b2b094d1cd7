using System.Globalization;

namespace ModelLoop.Samples;

/// <summary>
/// The samples' few command-line options, <c>--name value</c> or <c>--flag</c>. Every sample accepts
/// <c>--ci</c> (short settings for continuous integration, used by <c>./build.sh test</c>) and
/// <c>--help</c>; unknown options are an error that lists the known ones. Shared by the sample projects
/// as a linked source file.
/// </summary>
internal sealed class SampleArgs
{
    private readonly Dictionary<string, string?> _given = new(StringComparer.Ordinal);
    private readonly List<string> _known = ["--help".PadRight(20) + " print the options and exit"];

    public SampleArgs(string[] args)
    {
        // A wrong option or a missing data file ends the sample with its message, not a stack trace.
        AppDomain.CurrentDomain.UnhandledException += (_, e) =>
        {
            if (e.ExceptionObject is ArgumentException or IOException or FormatException)
            {
                Console.Error.WriteLine($"error: {((Exception)e.ExceptionObject).Message}");
                Environment.Exit(2);
            }
        };
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (!name.StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"Unexpected argument '{name}'; expected options such as --epochs 2. Run with --help to list them.");
            var value = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
            _given[name] = value;
        }
        Ci = Flag("ci", "short settings for CI (what ./build.sh test runs)");
    }

    /// <summary>True with <c>--ci</c>: the sample picks settings that finish in well under a minute on 2 cores.</summary>
    public bool Ci { get; }

    /// <summary>True when <c>--name</c> was given.</summary>
    public bool Flag(string name, string description)
    {
        Describe(name, "", description);
        return _given.ContainsKey("--" + name);
    }

    /// <summary>The integer after <c>--name</c>, or <paramref name="defaultValue"/>.</summary>
    public int Int(string name, int defaultValue, string description) =>
        OptionalInt(name, $"{description} (default {defaultValue})") ?? defaultValue;

    /// <summary>The integer after <c>--name</c>, or null when the option is absent.</summary>
    public int? OptionalInt(string name, string description)
    {
        var text = String(name, description);
        if (text is null)
            return null;
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < 1)
            throw new ArgumentException($"--{name} expects a positive whole number; received '{text}'.");
        return value;
    }

    /// <summary>The text after <c>--name</c>, or null when the option is absent.</summary>
    public string? String(string name, string description)
    {
        Describe(name, " VALUE", description);
        if (!_given.TryGetValue("--" + name, out var value))
            return null;
        return value ?? throw new ArgumentException($"--{name} expects a value after it; received nothing.");
    }

    /// <summary>
    /// The repository's <c>datasets</c> folder: <c>--data PATH</c> when given, else found by walking up from the
    /// program's folder (then the working folder) to the one holding ModelLoop.slnx.
    /// </summary>
    public string DatasetsFolder()
    {
        var given = String("data", "folder holding the shipped CSV files (default: <repository>/datasets)");
        if (given is not null)
            return Directory.Exists(given) ? given : throw new DirectoryNotFoundException($"--data '{given}' does not exist; pass the repository's datasets folder.");
        foreach (var start in new[] { AppContext.BaseDirectory, Environment.CurrentDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ModelLoop.slnx")))
                    return Path.Combine(dir.FullName, "datasets");
            }
        }
        throw new DirectoryNotFoundException($"Could not find the ModelLoop repository (a folder holding ModelLoop.slnx) above '{AppContext.BaseDirectory}' or '{Environment.CurrentDirectory}'. Pass --data with the datasets folder.");
    }

    /// <summary>
    /// Call after reading every option: prints the usage and returns false for <c>--help</c>; throws for an
    /// option the sample does not know.
    /// </summary>
    public bool Ready(string usage)
    {
        if (_given.ContainsKey("--help"))
        {
            Console.WriteLine(usage);
            Console.WriteLine("Options:");
            _known.ForEach(line => Console.WriteLine("  " + line));
            return false;
        }
        var unknown = _given.Keys.FirstOrDefault(k => !_known.Any(line => line == k || line.StartsWith(k + " ", StringComparison.Ordinal)));
        if (unknown is not null)
            throw new ArgumentException($"Unknown option '{unknown}'. Known options: {string.Join(", ", _known.Select(line => line.Split(' ')[0]))}.");
        return true;
    }

    /// <summary>
    /// With <c>--ci</c>, the sample's quality gate: below <paramref name="floor"/> (a value measured at the CI settings
    /// minus a safety margin, documented in the sample) it prints what was reached and what was expected, and exits
    /// with code 1 so <c>./build.sh test</c> fails. Other settings train differently, so there is no floor for them.
    /// </summary>
    public void RequireAtLeast(string metric, double value, double floor, string format)
    {
        if (!Ci)
            return;
        var reached = value.ToString(format, CultureInfo.InvariantCulture);
        var expected = floor.ToString(format, CultureInfo.InvariantCulture);
        if (value >= floor)
        {
            Console.WriteLine($"CI floor: {metric} {reached} ≥ {expected}.");
            return;
        }
        Console.Error.WriteLine($"error: {metric} {reached} is below the CI floor of {expected} at the --ci settings; " +
            "the sample has regressed. Compare with the value measured in the comment at the top of its Program.cs.");
        Environment.Exit(1);
    }

    private void Describe(string name, string value, string description)
    {
        var line = $"--{name}{value}".PadRight(20) + " " + description;
        if (!_known.Any(k => k.StartsWith($"--{name} ", StringComparison.Ordinal)))
            _known.Add(line);
    }
}
