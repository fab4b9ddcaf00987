"""One reader for the tabular files both apps take in: contact lists from data brokers and Populus
exports from HR. `reader` opens CSV and XLSX files as streams of rows, `headers` finds their
header, `values` reads a cell as text, a number, a date or a percentage, and `problems` words
every refusal in the reader's language."""
