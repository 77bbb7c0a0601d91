/**
 * The search and mapping engine of es-sim: analysis, mappings (validation, merging, dynamic
 * mapping) and the per-index search structure behind `_search` and `_count`.
 */
export {
  analyzerByName,
  standardTokenize,
  standardAnalyzer,
  keywordAnalyzer,
  whitespaceAnalyzer,
  simpleAnalyzer,
  stopAnalyzer,
} from "./analysis";
export type { Analyzer, Token } from "./analysis";
export { mapDocument } from "./dynamicMapping";
export { checkMappingLimits } from "./mappingLimits";
export { mergeMappings, validateMappings } from "./mappings";
export type { DynamicSetting, FieldMapping, Mappings } from "./mappings";
export { SearchIndex } from "./searchIndex";
export type {
  IndexChange,
  RefreshBuild,
  SearchHit,
  SearchHits,
  SearchIndexOptions,
  SearchParams,
  SearchRequest,
  SearchResponseParts,
  StoredDoc,
} from "./searchIndex";
