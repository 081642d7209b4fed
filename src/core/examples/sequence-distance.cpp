// Reads DNA sequences in FASTA format from standard input and compares every pair by
// edit distance: reference C++ translation.
//
// SPDX-License-Identifier: GPL-3.0-or-later

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <string>
#include <utility>
#include <vector>

struct Record
{
  std::string name;
  std::string sequence;
};

// Like Python's str.strip() for ASCII text.
static std::string
strip (const std::string &line)
{
  std::size_t begin = 0;
  std::size_t end = line.size ();

  while (begin < end && std::isspace (static_cast<unsigned char> (line[begin])))
    begin++;
  while (end > begin && std::isspace (static_cast<unsigned char> (line[end - 1])))
    end--;
  return line.substr (begin, end - begin);
}

// The first word of a header line, without the ">".
static std::string
header_name (const std::string &line)
{
  std::size_t begin = 1;
  while (begin < line.size () && std::isspace (static_cast<unsigned char> (line[begin])))
    begin++;
  std::size_t end = begin;
  while (end < line.size () && !std::isspace (static_cast<unsigned char> (line[end])))
    end++;
  return line.substr (begin, end - begin);
}

static std::vector<Record>
read_fasta (std::istream &stream)
{
  std::vector<Record> records;
  std::string raw;

  while (std::getline (stream, raw))
    {
      std::string line = strip (raw);
      if (line.empty ())
        continue;
      if (line[0] == '>')
        {
          records.push_back (Record { header_name (line), std::string () });
        }
      else if (!records.empty ())
        {
          for (char &c : line)
            c = static_cast<char> (std::toupper (static_cast<unsigned char> (c)));
          records.back ().sequence += line;
        }
    }
  return records;
}

static int
edit_distance (const std::string &a, const std::string &b)
{
  std::vector<int> previous (b.size () + 1);
  std::vector<int> current (b.size () + 1);

  for (std::size_t j = 0; j <= b.size (); j++)
    previous[j] = static_cast<int> (j);

  for (std::size_t i = 1; i <= a.size (); i++)
    {
      current[0] = static_cast<int> (i);
      for (std::size_t j = 1; j <= b.size (); j++)
        {
          int cost = a[i - 1] == b[j - 1] ? 0 : 1;
          current[j] = std::min ({ previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost });
        }
      std::swap (previous, current);
    }
  return previous[b.size ()];
}

int
main ()
{
  std::ios::sync_with_stdio (false);
  auto start_time = std::chrono::steady_clock::now ();

  std::vector<Record> records = read_fasta (std::cin);
  std::size_t n = records.size ();

  std::printf ("Read %zu sequences\n", n);
  for (const Record &record : records)
    {
      long gc = std::count (record.sequence.begin (), record.sequence.end (), 'G') +
                std::count (record.sequence.begin (), record.sequence.end (), 'C');
      double percent = static_cast<double> (100 * gc) /
                       static_cast<double> (record.sequence.size ());
      std::printf ("%-12s %6zu bases, GC content %.1f%%\n", record.name.c_str (),
                   record.sequence.size (), percent);
    }

  std::printf ("\nEdit distances:\n");
  std::printf ("%12s", "");
  for (const Record &record : records)
    std::printf ("%12s", record.name.c_str ());
  std::printf ("\n");

  std::vector<std::vector<int>> distances (n, std::vector<int> (n, 0));
  for (std::size_t i = 0; i < n; i++)
    {
      std::printf ("%-12s", records[i].name.c_str ());
      for (std::size_t j = 0; j < n; j++)
        {
          if (j > i)
            distances[i][j] = edit_distance (records[i].sequence, records[j].sequence);
          else
            distances[i][j] = distances[j][i];
          std::printf ("%12d", distances[i][j]);
        }
      std::printf ("\n");
    }

  // The first pair with the smallest distance, in the order Python's min() sees them.
  std::printf ("\n");
  if (n >= 2)
    {
      std::size_t best_i = 0;
      std::size_t best_j = 1;
      for (std::size_t i = 0; i < n; i++)
        for (std::size_t j = i + 1; j < n; j++)
          if (distances[i][j] < distances[best_i][best_j])
            {
              best_i = i;
              best_j = j;
            }

      std::size_t length = std::max (records[best_i].sequence.size (),
                                     records[best_j].sequence.size ());
      int distance = distances[best_i][best_j];
      double identity = 100 * (1 - static_cast<double> (distance) / static_cast<double> (length));
      std::printf ("Closest pair: %s and %s, distance %d, identity %.2f%%\n",
                   records[best_i].name.c_str (), records[best_j].name.c_str (), distance,
                   identity);
    }

  auto end_time = std::chrono::steady_clock::now ();
  std::chrono::duration<double> elapsed = end_time - start_time;
  std::printf ("Execution Time: %.6f seconds\n", elapsed.count ());
  return 0;
}
