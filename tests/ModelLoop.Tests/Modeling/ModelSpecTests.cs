using ModelLoop.Modeling;
using ModelLoop.Modeling.Layers;
using ModelLoop.Modeling.Zoo;
using ModelLoop.Tests.Training;

namespace ModelLoop.Tests.Modeling;

public sealed class ModelSpecTests
{
    private const string HandWrittenCnn = """
        # A small CNN for 28×28 grey images, written by hand.
        inputShape: [1, 28, 28]   # channels, height, width
        layers:
          - type: Conv2D
            filters: 8
            kernelSize: 3
            activation: Relu      # enum values are written as in C#
          - type: MaxPool2D       # poolSize defaults to 2
          - type: Flatten
          - type: Dropout
            rate: 0.25
          - type: Dense
            units: 10
        """;

    private const string HandWrittenLstm = """
        # Token ids in, two classes out.
        inputShape: [12]
        inputKind: TokenIds
        layers:
          - type: Embedding
            vocabularySize: 30
            dimensions: 8
          - type: Lstm
            units: 16
            bidirectional: true
          - name: logits          # a name of our own instead of dense_1
            type: Dense
            units: 2
        """;

    [Fact]
    public void HandWrittenYamlWithCommentsBuildsTheSameCnnAsTheCSharpVersion()
    {
        using var fromCode = new Sequential(1, 28, 28)
        {
            new Conv2D(8, 3, Activation.Relu),
            new MaxPool2D(),
            new Flatten(),
            new Dropout(0.25),
            new Dense(10),
        };

        using var fromYaml = Sequential.FromSpec(ModelSpec.FromYaml(HandWrittenCnn));

        Assert.Equal(fromCode.ToSpec().ToJson(), fromYaml.ToSpec().ToJson());
        Assert.Equal(fromCode.Summary(TextWriter.Null), fromYaml.Summary(TextWriter.Null));
        Assert.Equal(8 * 10 + 8 * 13 * 13 * 10 + 10, fromYaml.ParameterCount);
    }

    [Fact]
    public void ABillionLaughsSpecIsRefusedQuicklyNamingTheAliasLimit()
    {
        // Nine levels of nine aliases each: 9⁹ ≈ 387 million strings if expanded.
        var yaml = new System.Text.StringBuilder("l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var level = 1; level <= 9; level++)
            yaml.Append($"l{level}: &l{level} [{string.Join(", ", Enumerable.Repeat($"*l{level - 1}", 9))}]\n");
        yaml.Append("inputShape: [4]\nlayers:\n  - type: Dense\n    units: 2\n");
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var error = Assert.Throws<FormatException>(() => ModelSpec.FromYaml(yaml.ToString(), "laughs.yaml"));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
        Assert.Contains("laughs.yaml", error.Message);
        Assert.Contains($"{ModelSpec.MaxYamlNodes:N0}", error.Message);
        Assert.Contains("alias", error.Message);
    }

    [Fact]
    public void ASpecWithOneHarmlessAliasStillLoads()
    {
        var spec = ModelSpec.FromYaml("""
            inputShape: [4]
            layers:
              - type: Dense
                units: &width 8
              - type: Dense
                units: *width
            """);

        Assert.Equal(2, spec.Layers.Count);
        using var model = Model.FromSpec(spec);
        Assert.Equal(4 * 8 + 8 + 8 * 8 + 8, model.ParameterCount);
    }

    [Fact]
    public void YamlPlainScalarsLikeInfinityOrNaNAreStringsAsInYamlCoreNotNonFiniteNumbers()
    {
        // YAML 1.2 core spells non-finite floats .inf / .nan; "Infinity" is a string. Read as a double, it could not
        // be written to JSON and escaped as an ArgumentException instead of a spec.
        var spec = ModelSpec.FromYaml("""
            inputShape: [4]
            layers:
              - type: Dense
                name: Infinity
                units: 2
            """);
        Assert.Equal("Infinity", Assert.Single(spec.Layers).Name);

        var error = Assert.Throws<FormatException>(() => ModelSpec.FromYaml("""
            inputShape: [4]
            layers:
              - type: Dropout
                rate: NaN
            """));
        Assert.Contains("rate", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void HandWrittenYamlBuildsTheSameTokenIdLstmAsTheCSharpVersion()
    {
        using var fromCode = new Sequential(new Shape(12), InputKind.TokenIds)
        {
            new Embedding(30, 8),
            new Lstm(16, Bidirectional: true),
            new Dense(2) { Name = "logits" },
        };

        var spec = ModelSpec.FromYaml(HandWrittenLstm);
        using var fromYaml = Sequential.FromSpec(spec);

        Assert.Equal(InputKind.TokenIds, fromYaml.InputKind);
        Assert.Equal(fromCode.ToSpec().ToJson(), spec.ToJson());
        Assert.Equal(fromCode.Summary(TextWriter.Null), fromYaml.Summary(TextWriter.Null));
        Assert.Contains("logits (Dense)", fromYaml.Summary(TextWriter.Null));
    }

    [Fact]
    public void AnUnknownLayerTypeGivesAFormatExceptionListingEveryKnownType()
    {
        const string json = """{ "inputShape": [1, 28, 28], "layers": [ { "type": "Conv3D", "filters": 8 } ] }""";

        var error = Assert.Throws<FormatException>(() => ModelSpec.FromJson(json, "model.json"));

        Assert.Contains("model.json", error.Message);
        Assert.Contains("Conv3D", error.Message);
        foreach (var type in LayerCatalog.Types)
            Assert.Contains(type.Name, error.Message);
    }

    [Fact]
    public void AnUnknownLayerTypeInYamlGivesTheSameFormatException()
    {
        const string yaml = "inputShape: [16]\nlayers:\n  - type: Densely\n    units: 3\n";

        var error = Assert.Throws<FormatException>(() => ModelSpec.FromYaml(yaml, "model.yaml"));

        Assert.Contains("Densely", error.Message);
        Assert.Contains(nameof(TransformerEncoderBlock), error.Message);
    }

    [Theory]
    [InlineData("model.json")]
    [InlineData("model.yaml")]
    [InlineData("model.YML")]
    public void SaveWritesTheFormatTheExtensionNamesAndLoadReadsItBack(string file)
    {
        using var folder = new TempFolder();
        var path = folder.File(file);
        using var model = SequenceZoo.TransformerClassifier(16, 50, 4, dimensions: 8, heads: 2, blocks: 2);
        var spec = model.ToSpec();

        spec.Save(path);

        var text = File.ReadAllText(path);
        var isJson = file.EndsWith(".json", StringComparison.Ordinal);
        Assert.Equal(isJson, text.TrimStart().StartsWith('{'));
        if (!isJson)
            Assert.Contains("inputShape:", text);
        var loaded = ModelSpec.Load(path);
        Assert.Equal(spec.ToJson(), loaded.ToJson());
        using var rebuilt = Sequential.FromSpec(loaded);
        Assert.Equal(model.ParameterCount, rebuilt.ParameterCount);
    }

    [Fact]
    public void SaveWithAnUnsupportedExtensionGivesAFormatExceptionNamingItAndTheSupportedOnes()
    {
        using var folder = new TempFolder();
        var spec = new Sequential(4) { new Dense(2) }.ToSpec();

        var error = Assert.Throws<FormatException>(() => spec.Save(folder.File("model.txt")));

        Assert.Contains(".txt", error.Message);
        Assert.Contains(".yaml", error.Message);
        Assert.False(File.Exists(folder.File("model.txt")));
    }

    [Fact]
    public void LoadWithAnUnsupportedExtensionGivesAFormatExceptionNamingTheFile()
    {
        using var folder = new TempFolder();
        File.WriteAllText(folder.File("model.txt"), "{}");

        var error = Assert.Throws<FormatException>(() => ModelSpec.Load(folder.File("model.txt")));

        Assert.Contains("model.txt", error.Message);
        Assert.Contains(".json", error.Message);
    }

    [Fact]
    public void LoadOfAMissingFileGivesAFileNotFoundExceptionNamingIt()
    {
        using var folder = new TempFolder();

        var error = Assert.Throws<FileNotFoundException>(() => ModelSpec.Load(folder.File("absent.yaml")));

        Assert.Contains("absent.yaml", error.Message);
    }
}
