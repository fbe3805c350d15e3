using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace KvArchive.Module.Tests.Infrastructure;

/// <summary>
/// A host that can prompt: it keeps what reaches it (so Out-Default's rendering through the format file can be
/// read) and answers PromptForChoice from <see cref="ChoiceAnswers"/> (the default choice when none is queued).
/// </summary>
public sealed class TestHost : PSHost
{
    private readonly TestHostUserInterface _ui = new();
    private readonly Guid _id = Guid.NewGuid();

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;
    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;
    public override Guid InstanceId => _id;
    public override string Name => "KvArchiveTestHost";
    public override PSHostUserInterface UI => _ui;
    public override Version Version => new(1, 0);

    /// <summary>Everything written to the host since the last <see cref="Clear"/>.</summary>
    public string Text => _ui.Text;

    /// <summary>How many times a choice was asked for.</summary>
    public int Prompts => _ui.Prompts;

    /// <summary>Answers to the next prompts (index of the choice).</summary>
    public Queue<int> ChoiceAnswers => _ui.Answers;

    public void Clear() => _ui.Clear();

    public override void EnterNestedPrompt() => throw new NotSupportedException();
    public override void ExitNestedPrompt() => throw new NotSupportedException();
    public override void NotifyBeginApplication() { }
    public override void NotifyEndApplication() { }
    public override void SetShouldExit(int exitCode) { }

    private sealed class TestHostUserInterface : PSHostUserInterface
    {
        private readonly StringBuilder _text = new();
        private readonly TestRawUserInterface _raw = new();

        public Queue<int> Answers { get; } = new();
        public int Prompts { get; private set; }
        public string Text { get { lock (_text) { return _text.ToString(); } } }
        public override PSHostRawUserInterface RawUI => _raw;

        public void Clear()
        {
            lock (_text) { _text.Clear(); }
            Prompts = 0;
        }

        private void Append(string s) { lock (_text) { _text.Append(s); } }

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions)
            => throw new NotSupportedException("The test host answers choices only.");

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice)
        {
            Prompts++;
            Append($"[prompt] {caption}: {message}\n");
            return Answers.Count > 0 ? Answers.Dequeue() : defaultChoice;
        }

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName)
            => throw new NotSupportedException();

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options)
            => throw new NotSupportedException();

        public override string ReadLine() => throw new NotSupportedException();
        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException();
        public override void Write(string value) => Append(value);
        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Append(value);
        public override void WriteLine(string value) => Append(value + "\n");
        public override void WriteDebugLine(string message) => Append("DEBUG: " + message + "\n");
        public override void WriteErrorLine(string value) => Append("ERROR: " + value + "\n");
        public override void WriteVerboseLine(string message) => Append("VERBOSE: " + message + "\n");
        public override void WriteWarningLine(string message) => Append("WARNING: " + message + "\n");
        public override void WriteProgress(long sourceId, ProgressRecord record) => Append($"PROGRESS: {record.Activity} {record.StatusDescription}\n");
    }

    private sealed class TestRawUserInterface : PSHostRawUserInterface
    {
        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;
        public override Size BufferSize { get; set; } = new(200, 3000);
        public override Coordinates CursorPosition { get; set; }
        public override int CursorSize { get; set; }
        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.White;
        public override bool KeyAvailable => false;
        public override Size MaxPhysicalWindowSize => new(200, 100);
        public override Size MaxWindowSize => new(200, 100);
        public override Coordinates WindowPosition { get; set; }
        public override Size WindowSize { get; set; } = new(200, 100);
        public override string WindowTitle { get; set; } = "tests";
        public override void FlushInputBuffer() { }
        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => new BufferCell[0, 0];
        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();
        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) { }
        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) { }
        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) { }
    }
}
