using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace KvArchive.LocalVault.Http;

/// <summary>
/// A JSON answer built in memory with <see cref="Utf8JsonWriter"/> (so it carries a Content-Length and never
/// half-written on error), then sent.
/// </summary>
public sealed class JsonResponse : IDisposable
{
    public const string ContentType = "application/json; charset=utf-8";

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Keep '+', '/' and the like literal in base64 and URLs, as the service does.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly ArrayBufferWriter<byte> _buffer = new(1024);

    public JsonResponse()
    {
        Writer = new Utf8JsonWriter(_buffer, WriterOptions);
    }

    public Utf8JsonWriter Writer { get; }

    /// <summary>The bytes written so far (after a flush).</summary>
    public ReadOnlyMemory<byte> Written
    {
        get
        {
            Writer.Flush();
            return _buffer.WrittenMemory;
        }
    }

    public Task SendAsync(HttpContext context, int status = StatusCodes.Status200OK)
    {
        var body = Written;
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = ContentType;
        response.ContentLength = body.Length;
        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>Builds and sends a JSON answer in one call.</summary>
    public static Task SendAsync(HttpContext context, int status, Action<Utf8JsonWriter> write)
    {
        using var json = new JsonResponse();
        write(json.Writer);
        return json.SendAsync(context, status);
    }

    public void Dispose() => Writer.Dispose();
}
