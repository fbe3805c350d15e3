using System.Security.Cryptography;
using System.Text.Json;

namespace KvArchive.Engine.Archive;

/// <summary>
/// The manifest read without holding its rows: the document's own properties, and where each row's JSON lies in
/// the file, so that a row is read (and parsed) only when it is asked for. A reader of a 100,000-object archive
/// then holds twelve bytes per object, not its description. The manifest is streamed twice from disk: once for
/// its SHA-256, once to find its parts.
/// </summary>
internal sealed class ManifestIndex
{
    private const int ChunkSize = 1 << 16;

    private ManifestIndex(ArchiveManifestDocument document, long[] offsets, int[] lengths)
    {
        Document = document;
        Offsets = offsets;
        Lengths = lengths;
    }

    /// <summary>The manifest's properties (its <see cref="ArchiveManifestDocument.Entries"/> left empty).</summary>
    public ArchiveManifestDocument Document { get; }

    /// <summary>Where each row's JSON starts in the file.</summary>
    public long[] Offsets { get; }

    /// <summary>Each row's JSON length in bytes.</summary>
    public int[] Lengths { get; }

    /// <summary>SHA-256 (lower-case hex) of <paramref name="length"/> bytes of the file from <paramref name="offset"/>.</summary>
    public static string Hash(ArchiveBytes file, long offset, long length)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[ChunkSize];
        for (long done = 0; done < length;)
        {
            var n = file.Read(buffer.AsSpan(0, (int)Math.Min(buffer.Length, length - done)), offset + done);
            if (n == 0)
            {
                throw new EndOfStreamException();
            }

            sha.AppendData(buffer, 0, n);
            done += n;
        }

        return Convert.ToHexString(sha.GetHashAndReset()).ToLowerInvariant();
    }

    /// <summary>Parses one row found by the index.</summary>
    public ArchiveEntryDocument ReadRow(ArchiveBytes file, int index)
    {
        if (Lengths[index] > ArchiveLimits.MaxRowBytes)
        {
            throw new ArchiveLimitException($"a row of the manifest has {Lengths[index]:N0} bytes, more than the {ArchiveLimits.MaxRowBytes:N0} a row may have");
        }

        var bytes = new byte[Lengths[index]];
        if (file.Read(bytes, Offsets[index]) != bytes.Length)
        {
            throw new EndOfStreamException();
        }

        return JsonSerializer.Deserialize<ArchiveEntryDocument>(bytes, ArchiveFormat.Json) ?? throw new JsonException("An entry of the manifest is null.");
    }

    /// <summary>
    /// Streams the manifest's JSON (<paramref name="length"/> bytes at <paramref name="offset"/>): reads its
    /// properties and finds its rows. Properties it does not know (a newer minor version's) are skipped.
    /// </summary>
    /// <exception cref="JsonException">It is not a manifest.</exception>
    public static ManifestIndex Read(ArchiveBytes file, long offset, long length)
    {
        string? format = null, formatVersion = null, toolVersion = null, property = null, count = null, section = null;
        bool? complete = null;
        int? requestedObjects = null;
        var sections = new Dictionary<string, (long Offset, long Length)>(StringComparer.Ordinal);
        var sourceVaults = new List<Uri>();
        DateTimeOffset startedOn = default, completedOn = default;
        var counts = new ArchiveCountsDocument();
        var offsets = new List<long>();
        var lengths = new List<int>();
        var sawEntries = false;
        var done = false;
        var mode = Mode.Top;
        var depth = 0;
        long rowStart = -1;

        var buffer = new byte[ChunkSize];
        var filled = 0;
        long bufferStart = offset;
        long read = 0;
        var state = default(JsonReaderState);
        while (!done)
        {
            // Keep what was not consumed, then read on.
            // A token longer than the buffer grows it, up to a limit: a hostile value is refused, not held.
            if (filled == buffer.Length)
            {
                if (buffer.Length >= ArchiveLimits.MaxTokenBytes)
                {
                    throw new ArchiveLimitException($"a value of the manifest is longer than the {ArchiveLimits.MaxTokenBytes:N0} bytes a value may have");
                }

                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var n = read == length ? 0 : file.Read(buffer.AsSpan(filled, (int)Math.Min(buffer.Length - filled, length - read)), offset + read);
            if (n == 0 && read < length)
            {
                throw new JsonException("The manifest is cut short.");
            }

            read += n;
            filled += n;
            var reader = new Utf8JsonReader(buffer.AsSpan(0, filled), read == length, state);
            while (!done && reader.Read())
            {
                var token = reader.TokenType;
                switch (mode)
                {
                    case Mode.Top when reader.CurrentDepth == 0:
                        done = token == JsonTokenType.EndObject;
                        if (token is not (JsonTokenType.StartObject or JsonTokenType.EndObject))
                        {
                            throw new JsonException("The manifest is not a JSON object.");
                        }

                        break;
                    case Mode.Top when token == JsonTokenType.PropertyName:
                        property = reader.GetString();
                        break;
                    case Mode.Top:
                        switch (property)
                        {
                            case "format": format = reader.GetString(); break;
                            case "formatVersion": formatVersion = reader.GetString(); break;
                            case "toolVersion": toolVersion = reader.GetString(); break;
                            case "startedOn": startedOn = reader.GetDateTimeOffset(); break;
                            case "completedOn": completedOn = reader.GetDateTimeOffset(); break;
                            case "complete" when token is JsonTokenType.True or JsonTokenType.False: complete = reader.GetBoolean(); break;
                            case "requestedObjects" when token == JsonTokenType.Number: requestedObjects = reader.GetInt32(); break;
                            case "requested" or "notSaved" when token is JsonTokenType.StartObject or JsonTokenType.StartArray:
                                (mode, depth, section, rowStart) = (Mode.Section, reader.CurrentDepth, property, bufferStart + reader.TokenStartIndex);
                                break;
                            case "sourceVaults" when token == JsonTokenType.StartArray: mode = Mode.SourceVaults; break;
                            case "counts" when token == JsonTokenType.StartObject: mode = Mode.Counts; break;
                            case "entries" when token == JsonTokenType.StartArray:
                                sawEntries = true;
                                mode = Mode.Entries;
                                break;
                            default:
                                if (token is JsonTokenType.StartObject or JsonTokenType.StartArray)
                                {
                                    (mode, depth) = (Mode.Skip, reader.CurrentDepth);
                                }

                                break;
                        }

                        break;
                    case Mode.SourceVaults:
                        if (token == JsonTokenType.EndArray)
                        {
                            mode = Mode.Top;
                        }
                        else
                        {
                            sourceVaults.Add(new Uri(reader.GetString() ?? throw new JsonException("A source vault is null.")));
                        }

                        break;
                    case Mode.Counts:
                        if (token == JsonTokenType.EndObject)
                        {
                            mode = Mode.Top;
                        }
                        else if (token == JsonTokenType.PropertyName)
                        {
                            count = reader.GetString();
                        }
                        else
                        {
                            var value = reader.GetInt32();
                            switch (count)
                            {
                                case "total": counts.Total = value; break;
                                case "saved": counts.Saved = value; break;
                                case "changed": counts.Changed = value; break;
                                case "failed": counts.Failed = value; break;
                                case "skipped": counts.Skipped = value; break;
                            }
                        }

                        break;
                    case Mode.Entries when rowStart < 0:
                        if (token == JsonTokenType.EndArray)
                        {
                            mode = Mode.Top;
                        }
                        else if (token == JsonTokenType.StartObject)
                        {
                            (rowStart, depth) = (bufferStart + reader.TokenStartIndex, reader.CurrentDepth);
                        }
                        else
                        {
                            throw new JsonException("An entry of the manifest is not an object.");
                        }

                        break;
                    case Mode.Section:
                        if (token is JsonTokenType.EndObject or JsonTokenType.EndArray && reader.CurrentDepth == depth)
                        {
                            sections[section!] = (rowStart, bufferStart + reader.BytesConsumed - rowStart);
                            (mode, rowStart) = (Mode.Top, -1);
                        }

                        break;
                    case Mode.Entries:
                        if (token == JsonTokenType.EndObject && reader.CurrentDepth == depth)
                        {
                            if (bufferStart + reader.BytesConsumed - rowStart > ArchiveLimits.MaxRowBytes)
                            {
                                throw new ArchiveLimitException($"row {offsets.Count + 1} of the manifest is longer than the {ArchiveLimits.MaxRowBytes:N0} bytes a row may have");
                            }

                            if (offsets.Count == ArchiveLimits.MaxRows)
                            {
                                throw new ArchiveLimitException($"the manifest has more than the {ArchiveLimits.MaxRows:N0} rows a manifest may have");
                            }

                            offsets.Add(rowStart);
                            lengths.Add(checked((int)(bufferStart + reader.BytesConsumed - rowStart)));
                            rowStart = -1;
                        }

                        break;
                    case Mode.Skip:
                        if (token is JsonTokenType.EndObject or JsonTokenType.EndArray && reader.CurrentDepth == depth)
                        {
                            mode = Mode.Top;
                        }

                        break;
                }
            }

            if (!done && read == length)
            {
                throw new JsonException("The manifest ends too early.");
            }

            var consumed = (int)reader.BytesConsumed;
            state = reader.CurrentState;
            Buffer.BlockCopy(buffer, consumed, buffer, 0, filled - consumed);
            filled -= consumed;
            bufferStart += consumed;
        }

        if (format is null || formatVersion is null || !sawEntries)
        {
            throw new JsonException("The manifest lacks its format, version or entries.");
        }

        var document = new ArchiveManifestDocument
        {
            Format = format,
            FormatVersion = formatVersion,
            ToolVersion = toolVersion,
            SourceVaults = sourceVaults,
            StartedOn = startedOn,
            CompletedOn = completedOn,
            Counts = counts,
            Complete = complete,
            RequestedObjects = requestedObjects,
            Requested = ReadSection<List<ArchiveRequestDocument>>(file, sections, "requested"),
            NotSaved = ReadSection<ArchiveNotSavedDocument>(file, sections, "notSaved"),
        };
        return new ManifestIndex(document, [.. offsets], [.. lengths]);
    }

    /// <summary>A small part of the manifest found while streaming it (format 1.1), read and parsed once within its limit.</summary>
    private static T? ReadSection<T>(ArchiveBytes file, Dictionary<string, (long Offset, long Length)> sections, string name)
        where T : class
    {
        if (!sections.TryGetValue(name, out var at))
        {
            return null;
        }

        if (at.Length > ArchiveLimits.MaxSectionBytes)
        {
            throw new ArchiveLimitException($"the manifest's '{name}' has {at.Length:N0} bytes, more than the {ArchiveLimits.MaxSectionBytes:N0} it may have");
        }

        var bytes = new byte[at.Length];
        if (file.Read(bytes, at.Offset) != bytes.Length)
        {
            throw new EndOfStreamException();
        }

        return JsonSerializer.Deserialize<T>(bytes, ArchiveFormat.Json) ?? throw new JsonException($"The manifest's '{name}' is null.");
    }

    private enum Mode
    {
        Top,
        SourceVaults,
        Counts,
        Entries,
        Section,
        Skip,
    }
}
