// SPDX-License-Identifier: Apache-2.0
// GalleryModel under QAbstractItemModelTester: appends with thumbnails, labels, tooltips, the
// reference diff and its text, saved paths, removal and clearing; describe_diff's wording.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QtTest>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "ui/models/gallery_model.h"

using spstudio::ui::GalleryItem;
using spstudio::ui::GalleryModel;
using spstudio::ui::ReferenceDiff;

namespace {

QString utf8(const char* text) {
  return QString::fromUtf8(text);
}

QImage solid_image(int width, int height, QColor color) {
  QImage image(width, height, QImage::Format_RGB888);
  image.fill(color);
  return image;
}

GalleryItem make_item(quint64 job_id, quint64 seed, int image_index = 0) {
  GalleryItem item;
  item.job_id = job_id;
  item.image_index = image_index;
  item.params.seed = seed;
  item.params.prompt = "a lighthouse at dusk";
  item.params.width = 512;
  item.params.height = 256;
  item.params.steps = 8;
  item.params.guidance = 3.5;
  item.params.ulysses_degree = 2;
  item.params.ring_degree = 1;
  item.image = solid_image(512, 256, Qt::darkCyan);
  item.devices = QStringList{"cuda:0 NVIDIA H100", "cuda:1 NVIDIA H100"};
  item.step_ms = {400.0, 410.0, 300.0};
  item.encode_ms = 20.0;
  item.decode_ms = 100.0;  // 400 + 410 + 300 + 20 + 100 = 1230 ms
  return item;
}

ReferenceDiff diff_of(double psnr, int max_abs, std::optional<double> latent = std::nullopt) {
  ReferenceDiff diff;
  diff.image.psnr_db = psnr;
  diff.image.max_abs = max_abs;
  diff.latent_max_abs = latent;
  return diff;
}

/// The roles a dataChanged emission named, for the one spy entry at `i`.
QList<int> roles_of(const QSignalSpy& spy, int i) {
  return spy.at(i).at(2).value<QList<int>>();
}

}  // namespace

class TestGalleryModel : public QObject {
  Q_OBJECT

 private slots:
  void append_adds_rows_and_reports_them() {
    GalleryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy added(&model, &GalleryModel::itemAdded);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QCOMPARE(model.append(make_item(1, 42)), 0);
    QCOMPARE(model.append(make_item(1, 43, 1)), 1);
    QCOMPARE(model.rowCount(), 2);
    QCOMPARE(added.count(), 2);
    QCOMPARE(added.at(0).at(0).toInt(), 0);
    QCOMPARE(added.at(1).at(0).toInt(), 1);
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(inserted.at(1).at(1).toInt(), 1);
    QCOMPARE(inserted.at(1).at(2).toInt(), 1);
    QCOMPARE(model.at(1).params.seed, quint64{43});
    QCOMPARE(model.rowOf(1, 1), 1);
    QCOMPARE(model.rowOf(1, 0), 0);
    QCOMPARE(model.rowOf(2, 0), -1);
  }

  void display_role_names_seed_parallel_and_total_time() {
    GalleryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(make_item(1, 42));
    QCOMPARE(model.data(model.index(0), Qt::DisplayRole).toString(), utf8(u8"seed 42 \u00b7 U2\u00d7R1 \u00b7 1.23 s"));
    GalleryItem slow = make_item(2, 18446744073709551557ULL);
    slow.params.ulysses_degree = 1;
    slow.params.ring_degree = 4;
    slow.step_ms = {12000.0, 3456.0};
    slow.encode_ms = 0;
    slow.decode_ms = 0;
    model.append(slow);
    QCOMPARE(model.data(model.index(1), Qt::DisplayRole).toString(),
             utf8(u8"seed 18446744073709551557 \u00b7 U1\u00d7R4 \u00b7 15.46 s"));
  }

  void value_roles() {
    GalleryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const GalleryItem item = make_item(7, 18446744073709551557ULL);
    model.append(item);
    const QModelIndex index = model.index(0);
    QCOMPARE(model.data(index, GalleryModel::JobIdRole).value<quint64>(), quint64{7});
    QCOMPARE(model.data(index, GalleryModel::SeedRole).value<quint64>(), 18446744073709551557ULL);
    QCOMPARE(spstudio::ui::params_from_json(model.data(index, GalleryModel::ParamsRole).toJsonObject()), item.params);
    QCOMPARE(model.data(index, GalleryModel::ParallelRole).toString(), utf8(u8"U2\u00d7R1"));
    QCOMPARE(model.data(index, GalleryModel::DiffTextRole).toString(), QString());
    QCOMPARE(model.data(index, GalleryModel::SavedPathRole).toString(), QString());
    const QHash<int, QByteArray> names = model.roleNames();
    QCOMPARE(names.value(GalleryModel::SeedRole), QByteArray("seed"));
    QCOMPARE(names.value(Qt::DisplayRole), QByteArray("display"));
  }

  void thumbnail_keeps_the_aspect_with_the_longest_side_128() {
    GalleryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    GalleryItem wide = make_item(1, 1);
    wide.image = solid_image(512, 256, Qt::red);
    GalleryItem tall = make_item(1, 2, 1);
    tall.image = solid_image(96, 384, Qt::blue);
    GalleryItem small = make_item(1, 3, 2);
    small.image = solid_image(64, 32, Qt::green);
    model.append(wide);
    model.append(tall);
    model.append(small);
    const QImage wide_thumb = model.data(model.index(0), Qt::DecorationRole).value<QImage>();
    QCOMPARE(wide_thumb.size(), QSize(128, 64));
    QCOMPARE(wide_thumb.pixelColor(10, 10), QColor(Qt::red));
    QCOMPARE(model.data(model.index(1), Qt::DecorationRole).value<QImage>().size(), QSize(32, 128));
    QCOMPARE(model.data(model.index(2), Qt::DecorationRole).value<QImage>().size(), QSize(128, 64));
    // The full image is kept as it came.
    QCOMPARE(model.at(0).image.size(), QSize(512, 256));
  }

  void thumbnail_is_computed_once_and_smoothly() {
    GalleryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    // One-pixel black/white stripes: smooth scaling averages them to mid grey, nearest-neighbour
    // sampling would pick pure black or pure white.
    GalleryItem item = make_item(1, 1);
    item.image = QImage(256, 256, QImage::Format_RGB888);
    for (int y = 0; y < 256; ++y)
      for (int x = 0; x < 256; ++x)
        item.image.setPixelColor(x, y, x % 2 ? Qt::white : Qt::black);
    model.append(item);
    const QImage first = model.data(model.index(0), Qt::DecorationRole).value<QImage>();
    const QImage second = model.data(model.index(0), Qt::DecorationRole).value<QImage>();
    QCOMPARE(first.size(), QSize(128, 128));
    QCOMPARE(first.cacheKey(), second.cacheKey());  // the same image, not scaled again
    const int grey = qGray(first.pixel(64, 64));
    QVERIFY2(grey > 64 && grey < 192, qPrintable(QString("grey %1").arg(grey)));
  }

  void null_image_gives_no_thumbnail() {
    GalleryModel model;
    GalleryItem item = make_item(1, 1);
    item.image = QImage();
    model.append(item);
    QVERIFY(model.data(model.index(0), Qt::DecorationRole).value<QImage>().isNull());
  }

  void tooltip_lists_the_parameters() {
    GalleryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    GalleryItem item = make_item(1, 42);
    item.params.negative_prompt = "fog";
    model.append(item);
    const QString tip = model.data(model.index(0), Qt::ToolTipRole).toString();
    for (const QString& part :
         {QString("a lighthouse at dusk"), QString("fog"), utf8(u8"512\u00d7256"), QString("8 steps"),
          QString("guidance 3.5"), QString("seed 42"), QString("cuda:0 NVIDIA H100"), QString("cuda:1 NVIDIA H100")})
      QVERIFY2(tip.contains(part), qPrintable(part + " missing from: " + tip));
    QVERIFY(!tip.contains("PSNR"));
    model.setDiff(0, diff_of(48.1349, 2));
    const QString with_diff = model.data(model.index(0), Qt::ToolTipRole).toString();
    QVERIFY2(with_diff.contains(utf8(u8"PSNR 48.13 dB \u00b7 max |\u0394| 2")), qPrintable(with_diff));
    model.setSavedPath(0, "/tmp/out/seed42.png");
    QVERIFY(model.data(model.index(0), Qt::ToolTipRole).toString().contains("/tmp/out/seed42.png"));
  }

  void diff_and_its_error_change_only_that_row() {
    GalleryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(make_item(1, 42));
    model.append(make_item(1, 43, 1));
    model.append(make_item(2, 44));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    model.setDiff(1, diff_of(48.1349, 2, 3.1e-5));
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), model.index(1));
    QCOMPARE(changed.at(0).at(1).value<QModelIndex>(), model.index(1));
    QVERIFY(roles_of(changed, 0).contains(GalleryModel::DiffTextRole));
    QVERIFY(roles_of(changed, 0).contains(Qt::ToolTipRole));
    QVERIFY(!roles_of(changed, 0).contains(Qt::DecorationRole));
    QCOMPARE(model.data(model.index(1), GalleryModel::DiffTextRole).toString(),
             utf8(u8"PSNR 48.13 dB \u00b7 max |\u0394| 2 \u00b7 latents max |\u0394| 3.1e-05"));
    QVERIFY(model.at(1).diff.has_value());
    QCOMPARE(model.data(model.index(0), GalleryModel::DiffTextRole).toString(), QString());

    model.setDiffError(2, "the reference worker ran out of memory");
    QCOMPARE(changed.count(), 2);
    QCOMPARE(changed.at(1).at(0).value<QModelIndex>(), model.index(2));
    QVERIFY(roles_of(changed, 1).contains(GalleryModel::DiffTextRole));
    QCOMPARE(model.data(model.index(2), GalleryModel::DiffTextRole).toString(),
             QString("reference failed: the reference worker ran out of memory"));
    QVERIFY(model.data(model.index(2), Qt::ToolTipRole).toString().contains("reference failed"));

    // A later diff replaces the error (a retried reference).
    model.setDiff(2, diff_of(std::numeric_limits<double>::infinity(), 0));
    QCOMPARE(model.data(model.index(2), GalleryModel::DiffTextRole).toString(), utf8(u8"identical (PSNR \u221e)"));
    QVERIFY(model.at(2).diff_error.isEmpty());
  }

  void saved_path_changes_its_role() {
    GalleryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(make_item(1, 42));
    model.append(make_item(2, 43));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.setSavedPath(1, "/tmp/x.png");
    QCOMPARE(changed.count(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), model.index(1));
    QVERIFY(roles_of(changed, 0).contains(GalleryModel::SavedPathRole));
    QCOMPARE(model.data(model.index(1), GalleryModel::SavedPathRole).toString(), QString("/tmp/x.png"));
    QCOMPARE(model.at(1).saved_path, QString("/tmp/x.png"));
    QCOMPARE(model.at(0).saved_path, QString());
  }

  void remove_and_clear() {
    GalleryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (quint64 seed = 10; seed < 14; ++seed)
      model.append(make_item(seed, seed));
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    model.remove(1);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(removed.at(0).at(1).toInt(), 1);
    QCOMPARE(model.rowCount(), 3);
    QCOMPARE(model.at(1).params.seed, quint64{12});
    QCOMPARE(model.rowOf(11, 0), -1);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    model.clear();
    QCOMPARE(reset.count(), 1);
    QCOMPARE(model.rowCount(), 0);
    model.append(make_item(20, 20));
    QCOMPARE(model.rowCount(), 1);
  }

  void rows_that_are_gone_are_ignored() {
    GalleryModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(make_item(1, 42));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    model.setDiff(1, diff_of(40, 3));
    model.setDiffError(-1, "x");
    model.setSavedPath(5, "/tmp/y.png");
    model.remove(1);
    QCOMPARE(changed.count(), 0);
    QCOMPARE(removed.count(), 0);
    QCOMPARE(model.rowCount(), 1);
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, model.at(1));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, model.at(-1));
  }

  void describe_diff_wording() {
    const double inf = std::numeric_limits<double>::infinity();
    QCOMPARE(spstudio::ui::describe_diff(diff_of(48.1349, 2)), utf8(u8"PSNR 48.13 dB \u00b7 max |\u0394| 2"));
    QCOMPARE(spstudio::ui::describe_diff(diff_of(48.1349, 2, 3.1e-5)),
             utf8(u8"PSNR 48.13 dB \u00b7 max |\u0394| 2 \u00b7 latents max |\u0394| 3.1e-05"));
    // 10·log10(255² / 1) = 48.1308 dB: one unit of error everywhere.
    QCOMPARE(spstudio::ui::describe_diff(diff_of(10 * std::log10(255.0 * 255.0), 1)),
             utf8(u8"PSNR 48.13 dB \u00b7 max |\u0394| 1"));
    QCOMPARE(spstudio::ui::describe_diff(diff_of(inf, 0)), utf8(u8"identical (PSNR \u221e)"));
    QCOMPARE(spstudio::ui::describe_diff(diff_of(inf, 0, 0.0)), utf8(u8"identical (PSNR \u221e)"));
    // Equal pixels with different latents are not "identical".
    QCOMPARE(spstudio::ui::describe_diff(diff_of(inf, 0, 1e-6)),
             utf8(u8"PSNR \u221e \u00b7 max |\u0394| 0 \u00b7 latents max |\u0394| 1e-06"));
  }
};

QTEST_MAIN(TestGalleryModel)
#include "test_gallery_model.moc"
