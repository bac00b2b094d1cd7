namespace ModelLoop.Language.Corpora;

/// <summary>How a corpus file or folder is cut into documents.</summary>
public enum CorpusFormat
{
    /// <summary>Debian fortune files: entries separated by '%' lines (<see cref="FortunesCorpus"/>). A folder reads every fortune file in it.</summary>
    Fortunes,
    /// <summary>Plain UTF-8 text: documents separated by blank lines; a folder reads each *.txt file as one document.</summary>
    Text,
}
