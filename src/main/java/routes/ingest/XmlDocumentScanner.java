package routes.ingest;

import io.netty.util.ByteProcessor;

/**
 * Finds where XML documents start and end in a byte stream, whatever the root element is called.
 * It keeps its state between calls, so each byte is looked at once however the stream is split.
 *
 * <p>{@link #process} stops (returns false) twice per document: at the first {@code '<'} of the document
 * ({@link #inDocument()} becomes true; bytes before it are whitespace, control bytes or garbage between
 * documents) and at the {@code '>'} that closes its root element ({@link #complete()}). A prolog
 * ({@code <?xml …?>}, comments, a DOCTYPE) belongs to the document that follows it. Markup inside comments,
 * CDATA sections, processing instructions and quoted attribute values does not count.
 * Whether the document is well-formed is the parser's business, not this scanner's.
 */
final class XmlDocumentScanner implements ByteProcessor {

    private enum State {
        OUTSIDE,
        TEXT,
        LT,
        START_TAG,
        START_TAG_QUOTED,
        END_TAG,
        PI,
        PI_TARGET,
        BANG,
        COMMENT_OPEN,
        COMMENT,
        CDATA,
        DECL
    }

    private static final byte[] XML_DECLARATION = {'x', 'm', 'l'};

    private State state = State.OUTSIDE;
    private int depth;
    private boolean complete;
    private byte quote;
    private byte previous;
    private int runLength; // dashes in a comment, ']' in CDATA
    private int declBrackets; // '[' nesting inside a DOCTYPE
    private long garbage; // non-blank bytes seen between documents
    private boolean rootSeen; // a start tag was seen in the current document
    private int targetMatched; // bytes of "xml" matched after "<?" inside a document
    private boolean restarted; // an XML declaration appeared inside a document: a new one starts there

    boolean inDocument() {
        return state != State.OUTSIDE;
    }

    boolean complete() {
        return complete;
    }

    /**
     * In element text, where only a {@code '<'} changes anything: the caller may skip to the next one with a
     * fast search (the Base64 image text is nearly all of a document's bytes) instead of feeding each byte.
     */
    boolean inText() {
        return state == State.TEXT;
    }

    /**
     * True after {@link #process} stopped because an XML declaration ({@code <?xml }) appeared after the
     * current document's root had started: that document was cut short (a camera restarted mid-document)
     * and a new one begins at the declaration's {@code '<'}, 5 bytes before the stop. Cleared by
     * {@link #takeRestart()}.
     */
    boolean takeRestart() {
        boolean r = restarted;
        restarted = false;
        return r;
    }

    /** Non-whitespace bytes dropped between documents since the last call; resets the count. */
    long takeGarbage() {
        long g = garbage;
        garbage = 0;
        return g;
    }

    /** Back to "between documents", after a complete document or a discarded one. */
    void reset() {
        state = State.OUTSIDE;
        depth = 0;
        complete = false;
        previous = 0;
        runLength = 0;
        declBrackets = 0;
        rootSeen = false;
        targetMatched = 0;
    }

    @Override
    public boolean process(byte b) {
        switch (state) {
            case OUTSIDE -> {
                if (b == '<') {
                    state = State.LT;
                    return false;
                }
                if (!isBlank(b)) {
                    garbage++;
                }
            }
            case TEXT -> {
                if (b == '<') {
                    state = State.LT;
                }
            }
            case LT -> {
                if (b == '<') {
                    // "<<" is never legal: the first '<' ended a document cut short; markup starts over at this one,
                    // so a "<?xml " right after it still restarts framing.
                } else if (b == '/') {
                    state = State.END_TAG;
                } else if (b == '?') {
                    state = rootSeen ? State.PI_TARGET : State.PI;
                    targetMatched = 0;
                } else if (b == '!') {
                    state = State.BANG;
                } else {
                    state = State.START_TAG;
                    rootSeen = true;
                }
            }
            case START_TAG -> {
                if (b == '<') {
                    // Never legal inside a tag: the document was cut inside one; what follows may be a new document.
                    state = State.LT;
                } else if (b == '"' || b == '\'') {
                    quote = b;
                    state = State.START_TAG_QUOTED;
                } else if (b == '>') {
                    if (previous == '/') {
                        return endElement(0);
                    }
                    depth++;
                    state = State.TEXT;
                }
            }
            case START_TAG_QUOTED -> {
                if (b == quote) {
                    state = State.START_TAG;
                }
            }
            case END_TAG -> {
                if (b == '>') {
                    return endElement(1);
                }
                if (b == '<') {
                    state = State.LT;
                }
            }
            case PI -> {
                if (b == '>' && previous == '?') {
                    state = State.TEXT;
                }
            }
            case PI_TARGET -> {
                if (targetMatched < XML_DECLARATION.length && b == XML_DECLARATION[targetMatched]) {
                    targetMatched++;
                } else if (targetMatched == XML_DECLARATION.length
                        && (b == ' ' || b == '\t' || b == '\r' || b == '\n')) {
                    // "<?xml " inside a document: the document was cut short; a new one starts here.
                    reset();
                    state = State.PI;
                    restarted = true;
                    previous = b;
                    return false;
                } else {
                    state = b == '>' && previous == '?' ? State.TEXT : State.PI;
                }
            }
            case BANG -> {
                if (b == '-') {
                    state = State.COMMENT_OPEN;
                } else if (b == '[') {
                    state = State.CDATA;
                    runLength = 0;
                } else {
                    state = State.DECL;
                    declBrackets = 0;
                    quote = 0;
                    return declaration(b);
                }
            }
            case COMMENT_OPEN -> {
                state = State.COMMENT;
                runLength = 0;
            }
            case COMMENT -> {
                if (b == '-') {
                    runLength++;
                } else {
                    if (b == '>' && runLength >= 2) {
                        state = State.TEXT;
                    }
                    runLength = 0;
                }
            }
            case CDATA -> {
                if (b == ']') {
                    runLength++;
                } else {
                    if (b == '>' && runLength >= 2) {
                        state = State.TEXT;
                    }
                    runLength = 0;
                }
            }
            case DECL -> {
                return declaration(b);
            }
            default -> throw new IllegalStateException(state.name());
        }
        previous = b;
        return true;
    }

    /** Closes an element: {@code levels} is 1 for an end tag, 0 for an empty-element tag. */
    private boolean endElement(int levels) {
        depth -= levels;
        previous = '>';
        state = State.TEXT;
        if (depth <= 0) {
            // The root closed (or an end tag with no open element: a broken document the parser will refuse).
            complete = true;
            return false;
        }
        return true;
    }

    private boolean declaration(byte b) {
        if (quote != 0) {
            if (b == quote) {
                quote = 0;
            }
        } else if (b == '"' || b == '\'') {
            quote = b;
        } else if (b == '[') {
            declBrackets++;
        } else if (b == ']') {
            declBrackets--;
        } else if (b == '>' && declBrackets <= 0) {
            state = State.TEXT;
        }
        previous = b;
        return true;
    }

    /** Whitespace, control bytes (STX/ETX…), DEL and the UTF-8 byte-order mark are skipped between documents. */
    private static boolean isBlank(byte b) {
        int u = b & 0xFF;
        return u <= 0x20 || u == 0x7F || u == 0xEF || u == 0xBB || u == 0xBF;
    }
}
