namespace ModelLoop.Language.Corpora;

/// <summary>One document of a text corpus: the unit that splits go by, so no document is in two parts.</summary>
/// <param name="Source">Where it came from, e.g. the fortunes category ("computers"); splits and reports group by it.</param>
/// <param name="Text">The text, lines joined with '\n'.</param>
public sealed record CorpusDocument(string Source, string Text);
