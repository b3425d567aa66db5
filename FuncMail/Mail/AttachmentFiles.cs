using System.Globalization;
using System.Text;

namespace FuncMail.Mail;

/// <summary>The rules for sending a mail's files to a browser: which name, which type, which images may show inline.</summary>
public static class AttachmentFiles
{
    /// <summary>The largest file FuncMail downloads; larger ones open in Outlook.</summary>
    public const long MaxDownloadBytes = 25L * 1024 * 1024;

    /// <summary>The largest inline image FuncMail sends into a body frame.</summary>
    public const long MaxInlineBytes = 10L * 1024 * 1024;

    /// <summary>Names are cut to this many characters, keeping the extension.</summary>
    public const int MaxNameLength = 150;

    /// <summary>Types a download keeps; anything else goes as application/octet-stream. Always with Content-Disposition: attachment.</summary>
    private static readonly HashSet<string> DownloadTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        "application/pdf", "text/plain", "text/csv", "image/png", "image/jpeg", "image/gif", "image/webp", "application/zip",
        "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    };

    /// <summary>The sender's type when it is on the allow-list (parameters dropped), else application/octet-stream.</summary>
    public static string DownloadType(string? contentType)
    {
        var type = contentType?.Split(';')[0].Trim();
        return type is not null && DownloadTypes.Contains(type) ? type.ToLowerInvariant() : "application/octet-stream";
    }

    /// <summary>
    /// The raster type the file's first bytes prove, or null: png, jpeg, gif or webp only, never SVG (a script-capable
    /// document) and never the sender's claim alone.
    /// </summary>
    public static string? InlineImageType(ReadOnlySpan<byte> head) =>
        head.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) ? "image/png"
        : head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]) ? "image/jpeg"
        : head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8) ? "image/gif"
        : head.Length >= 12 && head.StartsWith("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8) ? "image/webp"
        : null;

    /// <summary>Whether the sender says this is a raster image FuncMail may show inline (the bytes are checked again when served).</summary>
    public static bool MayBeInlineImage(string? contentType) =>
        contentType?.Split(';')[0].Trim().ToLowerInvariant() is "image/png" or "image/jpeg" or "image/jpg" or "image/gif" or "image/webp";

    /// <summary>
    /// A file name safe to offer: no control or bidirectional-format characters (U+202E would show "invoice‮fdp.exe" as
    /// "invoiceexe.pdf"), no path separators or characters Windows forbids, no leading or trailing dots and spaces, at
    /// most <see cref="MaxNameLength"/> characters with the extension kept; "attachment" when nothing is left.
    /// ASP.NET Core's <c>SetHttpFileName</c> then writes the RFC 6266 header; it percent-encodes but passes all of these through.
    /// </summary>
    public static string CleanName(string? name) => Clean(name, forFile: true);

    /// <summary>
    /// A name to show in the list ("Re: Budget" stays as it is): the same removal of control, bidi and unassigned
    /// characters as <see cref="CleanName"/>, without the file-system substitutions. The template encodes it.
    /// </summary>
    public static string DisplayName(string? name) => Clean(name, forFile: false);

    private static string Clean(string? name, bool forFile)
    {
        var clean = new StringBuilder(name?.Length ?? 0);
        foreach (var rune in (name ?? "").EnumerateRunes())
        {
            // Enumerating runes turns an unpaired surrogate into U+FFFD; non-characters (U+FFFE, U+FDD0…) and
            // unassigned code points go, as they would make Normalize throw.
            var category = Rune.GetUnicodeCategory(rune);
            if (category is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator
                or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse || rune == Rune.ReplacementChar)
            {
                continue;
            }

            clean.Append(forFile && rune.Value is '/' or '\\' or ':' or '*' or '?' or '"' or '<' or '>' or '|' ? "_" : rune.ToString());
        }

        var result = clean.ToString();
        result = (result.IsNormalized(NormalizationForm.FormC) ? result : result.Normalize(NormalizationForm.FormC)).Trim(' ', '.');
        if (result.Length > MaxNameLength)
        {
            var extension = Path.GetExtension(result);
            extension = extension.Length is > 1 and <= 10 ? extension : "";
            result = Prefix(result, MaxNameLength - extension.Length).TrimEnd(' ', '.') + extension;
        }

        return result.Length == 0 ? "attachment" : result;
    }

    /// <summary>At most <paramref name="length"/> characters, cut between whole text elements (an emoji or an accented letter stays whole).</summary>
    private static string Prefix(string text, int length)
    {
        var end = 0;
        var elements = StringInfo.GetTextElementEnumerator(text);
        while (elements.MoveNext() && elements.ElementIndex + elements.GetTextElement().Length <= length)
        {
            end = elements.ElementIndex + elements.GetTextElement().Length;
        }

        return text[..end];
    }

    /// <summary>A size as people read it: "512 bytes", "14 KB", "2.4 MB".</summary>
    public static string ReadableSize(long? bytes) => bytes switch
    {
        null or < 0 => "",
        < 1024 => $"{bytes} bytes",
        < 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{Math.Ceiling(bytes.Value / 1024.0):0} KB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes.Value / 1024.0 / 1024.0:0.#} MB"),
    };
}
