using ModelLoop.Language.Corpora;

namespace ModelLoop.Language.Tests;

/// <summary>The shipped sample texts (Fixtures/) and small generated strings the tests share.</summary>
internal static class Samples
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", name);

    public static IReadOnlyList<CorpusDocument> English => [.. FortunesCorpus.ReadFile(Fixture("fortunes-en-sample"))];

    public static IReadOnlyList<CorpusDocument> Chinese => [.. FortunesCorpus.ReadFile(Fixture("fortunes-zh-sample"))];

    /// <summary>Text a tokenizer must survive: accents, CJK, emoji (outside the BMP, with ZWJ sequences and flags), control characters, odd spacing.</summary>
    public static readonly string[] Tricky =
    [
        "Hello, world! It's 3.14 o'clock.",
        "Ünïcödé façade — naïve café",
        "草木有本心，何求美人折？",
        "emoji 😀 family 👩‍👩‍👧 flag 🇫🇷 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
        "tabs\tand\r\nnewlines\n\n   three spaces\u0000nul \u001b[32mcolour\u001b[m",
        "",
    ];

    public static IEnumerable<string> Texts => English.Concat(Chinese).Select(d => d.Text);
}
