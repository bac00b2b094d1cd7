using ModelLoop.Bench.Fuzz;
using ModelLoop.Native;
using ModelLoop.Tests.Training;

namespace ModelLoop.Tests.Data.Fuzz;

public sealed class ParserFuzzTests : IDisposable
{
    private readonly TempFolder _scratch = new();

    public ParserFuzzTests() => TorchRuntime.EnsureLoaded();

    public void Dispose() => _scratch.Dispose();

    public static TheoryData<string> Parsers => ["idx", "csv", "cifar10", "cifar100", "text", "pipeline-json", "manifest-json"];

    [Theory]
    [MemberData(nameof(Parsers))]
    public void MutatedInputsEitherParseOrAreRejectedWithADocumentedException(string parser)
    {
        var target = ParserFuzzer.Targets(_scratch.Path).Single(t => t.Name == parser);

        var result = ParserFuzzer.Run(target, inputs: parser is "idx" or "manifest-json" ? 150 : 600, seed: 11);

        Assert.Empty(result.Crashes);
        Assert.True(result.Parsed >= target.Seeds.Length, "the valid seed inputs must parse");
        Assert.True(result.Rejected > 0, "some mutations must be rejected, or the fuzzer is not mutating");
    }

    [Fact]
    public void MutationIsDeterministicForASeed()
    {
        var input = "some,valid\n1,2\n"u8.ToArray();

        var a = new Random(5);
        var first = Enumerable.Range(0, 20).Select(_ => ParserFuzzer.Mutate(input, a)).ToArray();
        var b = new Random(5);
        var second = Enumerable.Range(0, 20).Select(_ => ParserFuzzer.Mutate(input, b)).ToArray();

        Assert.Equal(first, second);
        Assert.Contains(first, m => !m.SequenceEqual(input));
    }
}
