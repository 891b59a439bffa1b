/*
 * Grid cells that hold codes show their words: a column definition carries its labels in
 * refData (from tracker.vocabulary), and these formatters read them, keeping any code without
 * a label as it is (AG Grid's own refData display would show such a cell blank). The row data
 * keeps the codes, so callbacks and downloads still see "care_home", people read "Care home".
 */
var dagfuncs = (window.dashAgGridFunctions = window.dashAgGridFunctions || {});

dagfuncs.trackerWord = function (params) {
  var words = params.colDef.refData || {};
  return Object.prototype.hasOwnProperty.call(words, params.value) ? words[params.value] : params.value;
};

dagfuncs.trackerWordToFilter = function (params) {
  var words = params.colDef.refData || {};
  var value = params.data ? params.data[params.colDef.field] : null;
  return Object.prototype.hasOwnProperty.call(words, value) ? words[value] : value;
};
