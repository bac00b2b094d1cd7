using System.Text;
using ModelLoop.Data;
using ModelLoop.Data.Preprocessing;
using ModelLoop.Data.Readers;
using ModelLoop.Data.Versioning;

namespace ModelLoop.Bench.Fuzz;

/// <summary>One parser under fuzzing: valid seed inputs, the parse call, and the exception types it documents for bad input.</summary>
internal sealed record FuzzTarget(string Name, byte[][] Seeds, Action<byte[]> Parse, Type[] Documented);

/// <summary>What a fuzz run saw: inputs run, how many parsed, how many were rejected with a documented exception, and every other failure.</summary>
internal sealed record FuzzResult(string Target, int Inputs, int Parsed, int Rejected, IReadOnlyList<string> Crashes);

/// <summary>
/// A deterministic in-process mutation fuzzer for ModelLoop's parsers. SharpFuzz needs an AFL-instrumented
/// build and an external fuzzing driver, which a unit test or a benchmark cannot host; this keeps the same
/// idea (mutate valid inputs: bit flips, random bytes, truncation, insertion, deletion, duplication) without
/// coverage feedback, seeded so every run sees the same inputs. A "crash" is any exception other than the ones the
/// parser documents for malformed input (FormatException, InvalidDataException): those are bugs.
/// Shared by `ModelLoop.Bench fuzz` (long runs) and a short unit test (linked into the test project).
/// </summary>
internal static class ParserFuzzer
{
    private static readonly Type[] BadInput = [typeof(FormatException), typeof(InvalidDataException)];

    /// <summary>The parsers and their seeds; file-based parsers write each input to a file in <paramref name="scratch"/>.</summary>
    public static IReadOnlyList<FuzzTarget> Targets(string scratch)
    {
        Directory.CreateDirectory(scratch);
        var idxPath = Path.Combine(scratch, "input.idx");
        var manifestPath = Path.Combine(scratch, "manifest.json");
        var csv = "id,size,color,joined,note,label\n1,2.5,red,2024-01-01,\"a, b\",yes\n2,NA,blue,2024-02-03,plain,no\n3,-1e3,red,,\"say \"\"hi\"\"\",yes\n"u8.ToArray();
        var table = TabularReader.Read(new MemoryStream(csv), "seed");
        var pipeline = PreprocessingPipeline.Fit(table, new PreprocessingOptions { LabelColumn = "label", Outliers = OutlierHandling.IqrClip, TextLength = 4 });
        var record = new Dictionary<string, string?> { ["id"] = "4", ["size"] = "3", ["color"] = "red", ["joined"] = "2024-03-01", ["note"] = "x" };
        var manifest = new DatasetManifest { Name = "seed", SourceSha256 = new string('0', 64), Schema = table.Schema, Pipeline = System.Text.Json.JsonDocument.Parse(pipeline.ToJson()).RootElement.Clone() };
        manifest.Save(manifestPath);
        return
        [
            new("idx", [Idx([3, 2, 2], 12), Idx([5], 5)], bytes =>
            {
                File.WriteAllBytes(idxPath, bytes);
                _ = IdxReader.Read(idxPath);
            }, BadInput),
            new("csv", [csv, "a\tb\n1\t2\n"u8.ToArray()], bytes =>
            {
                var parsed = TabularReader.Read(new MemoryStream(bytes), "fuzz.csv");
                _ = parsed.Schema;
            }, BadInput),
            new("cifar10", [Cifar(2, 1)], bytes => CifarReader.Parse(bytes, "fuzz.bin").Dispose(), BadInput),
            new("cifar100", [Cifar(1, 2)], bytes => CifarReader.Parse(bytes, "fuzz.bin", CifarVariant.Cifar100Fine).Dispose(), BadInput),
            new("text", ["line one\nzwei ü\r\n\nthree"u8.ToArray()], bytes => _ = TextCorpus.ReadLines(new MemoryStream(bytes), "fuzz.txt").Count(), BadInput),
            new("pipeline-json", [Encoding.UTF8.GetBytes(pipeline.ToJson())], bytes =>
            {
                var restored = PreprocessingPipeline.FromJson(Encoding.UTF8.GetString(bytes));
                restored.Transform(record).Dispose();
            }, BadInput),
            new("manifest-json", [File.ReadAllBytes(manifestPath)], bytes =>
            {
                File.WriteAllBytes(manifestPath, bytes);
                _ = DatasetManifest.Load(manifestPath);
            }, BadInput),
        ];
    }

    /// <summary>Runs <paramref name="inputs"/> mutated inputs (the seeds themselves first) through the target.</summary>
    public static FuzzResult Run(FuzzTarget target, int inputs, int seed)
    {
        var random = new Random(seed);
        int parsed = 0, rejected = 0;
        var crashes = new List<string>();
        for (var i = 0; i < inputs; i++)
        {
            var input = i < target.Seeds.Length ? target.Seeds[i] : Mutate(target.Seeds[random.Next(target.Seeds.Length)], random);
            try
            {
                target.Parse(input);
                parsed++;
            }
            catch (Exception e) when (target.Documented.Any(t => t.IsInstanceOfType(e)))
            {
                rejected++;
            }
            catch (Exception e)
            {
                crashes.Add($"{target.Name} input {i} ({Convert.ToHexString(input.AsSpan(0, Math.Min(input.Length, 48)))}…): {e.GetType().Name}: {e.Message}");
            }
        }
        return new FuzzResult(target.Name, inputs, parsed, rejected, crashes);
    }

    /// <summary>One to four random edits of a copy of <paramref name="input"/>.</summary>
    public static byte[] Mutate(byte[] input, Random random)
    {
        var bytes = new List<byte>(input);
        var edits = random.Next(1, 5);
        for (var e = 0; e < edits; e++)
        {
            var at = bytes.Count == 0 ? 0 : random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0 when bytes.Count > 0: bytes[at] ^= (byte)(1 << random.Next(8)); break;                  // bit flip
                case 1 when bytes.Count > 0: bytes[at] = (byte)random.Next(256); break;                        // random byte
                case 2: bytes.RemoveRange(at, bytes.Count - at); break;                                        // truncate
                case 3: bytes.InsertRange(at, Enumerable.Range(0, random.Next(1, 9)).Select(_ => (byte)random.Next(256))); break; // insert
                case 4 when bytes.Count > 0: bytes.RemoveRange(at, Math.Min(random.Next(1, 9), bytes.Count - at)); break;        // delete
                case 5 when bytes.Count > 0: bytes.InsertRange(at, bytes.GetRange(at, Math.Min(random.Next(1, 33), bytes.Count - at))); break; // duplicate
                case 6 when bytes.Count > 0: bytes[at] = "\"\n,\r\t\\{}[]:0-9eE.\u00ff"u8[random.Next(19)]; break; // a structural character
            }
        }
        return [.. bytes];
    }

    private static byte[] Idx(int[] shape, int count)
    {
        var bytes = new List<byte> { 0, 0, 0x08, (byte)shape.Length };
        foreach (var size in shape)
            bytes.AddRange([(byte)(size >> 24), (byte)(size >> 16), (byte)(size >> 8), (byte)size]);
        bytes.AddRange(Enumerable.Range(0, count).Select(i => (byte)(i * 37)));
        return [.. bytes];
    }

    private static byte[] Cifar(int records, int labelBytes) =>
        Enumerable.Range(0, records).SelectMany(r => Enumerable.Repeat((byte)(r % 10), labelBytes).Concat(Enumerable.Range(0, 3072).Select(p => (byte)(p + r)))).ToArray();
}
