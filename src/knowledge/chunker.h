#pragma once
// Cuts an extracted document into retrieval chunks along its structure: a chunk never spans two sections
// (a heading starts a new chunk), paragraphs are kept whole when they fit, longer ones are split at sentence
// boundaries, and a sentence longer than the maximum is split at word boundaries. Consecutive chunks of the same
// section overlap by about `overlap_chars` (whole sentences taken from the end of the previous chunk). Each table
// row is a chunk of its own, its cells labelled with their column names ("Size: M; Colour: blue; Price: €39").
// Headings are never part of a chunk's text (what customers are quoted): they are its `heading_path`, which
// IndexedText puts before the text for the indexes, so a chunk is still found by its section's title.

#include "knowledge/extract.h"

#include <string>
#include <vector>

namespace parley::knowledge {

struct ChunkOptions {
  int target_chars = 800;   //!< Chunks are filled up to about this size…
  int max_chars = 1200;     //!< …and never exceed this one.
  int overlap_chars = 120;  //!< 0 disables overlap.
};

struct Chunk {
  int position = 0;                       //!< 0-based order within the document.
  std::vector<std::string> heading_path;  //!< Enclosing headings, outermost first ("Pricing" › "Refunds").
  std::string text;                       //!< The chunk's own text, normalized (NFKC), without the headings.
  int page = 0;                           //!< PDF page the chunk starts on, else 0.
};

// Deterministic; empty for a document without blocks. Options are clamped to sane values
// (target ≥ 100, max ≥ target, overlap < target / 2).
std::vector<Chunk> ChunkDocument(const ExtractedDocument& document, const ChunkOptions& options);

// The text that is embedded and indexed for a chunk: its heading path ("A › B") on a first line, then its text,
// so a chunk is found by the words of its section title too.
std::string IndexedText(const Chunk& chunk);

}  // namespace parley::knowledge
